"""Synternet: the Syntoshi models behind Synternet's gateway (shared/seeds/001_*).

The flagship streams its thinking as plain content, ``[Thinking: ...]`` and ``[Reasoning: ...]``,
before the answer, and the API wants ``"stream": true``; the wire model id is the whole
``synternet/syntoshi-apex-thinking``.
"""

from types import MappingProxyType

from litellm_providers.provider import COMMON_CHAT_PARAMS, ProviderSpec

PROVIDER = ProviderSpec(
    route="synternet",
    display_name="Synternet",
    default_api_base="https://gateway.synternet.com/rpc/synternet.ai.mainnet.v1./api/v1",
    api_key_env="SYNTERNET_API_KEY",
    api_base_env="SYNTERNET_API_BASE",
    # Documented: model, messages, stream; the API "follows OpenAI's chat completions format", so the
    # common sampling parameters are accepted too. Not `n`: every call is one upstream stream, and
    # LiteLLM's stream builder and stream wrapper keep one choice of it (texts merged, finish lost),
    # so n > 1 is refused (or dropped with drop_params) rather than answered wrongly.
    chat_params=COMMON_CHAT_PARAMS - {"n"},
    param_renames=MappingProxyType({"max_completion_tokens": "max_tokens"}),
    # The documented roles are system, user and assistant: a developer message goes as system.
    accepts_developer_role=False,
    wire_model_prefix="synternet/",
    upstream_always_streams=True,
    default_reasoning_format="brackets",
    error_codes=MappingProxyType({"invalid_api_key": "AuthenticationError"}),
    docs_url="https://ai.synternet.com",
)
