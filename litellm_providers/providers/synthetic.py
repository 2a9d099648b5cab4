"""Synthetic (synthetic.new): open-source models behind an OpenAI-compatible API.

Source: the provider's LiteLLM page (shared/seeds/000_*) and its model table (shared/seeds/002_*);
embeddings, text completions, ``syn:`` aliases, quotas and web search from Synthetic's public API
documentation.
"""

from types import MappingProxyType

from litellm_providers.provider import COMMON_CHAT_PARAMS, ProviderSpec, SearchEndpoint

PROVIDER = ProviderSpec(
    route="synthetic",
    display_name="Synthetic",
    default_api_base="https://api.synthetic.new/openai/v1",
    api_key_env="SYNTHETIC_API_KEY",
    streams_usage=True,
    # Synthetic's API docs: legacy text completions and OpenAI-shaped embeddings beside chat.
    endpoints=("/chat/completions", "/completions", "/embeddings"),
    models_path="/models",
    api_base_env="SYNTHETIC_API_BASE",
    # The documented table (temperature, top_p, max_tokens, frequency/presence penalty, stop, stream)
    # under "supports all standard OpenAI-compatible parameters".
    chat_params=COMMON_CHAT_PARAMS | {"frequency_penalty", "presence_penalty"},
    param_renames=MappingProxyType({"max_completion_tokens": "max_tokens"}),
    # Synthetic does not take the developer role (pi-synthetic, the public Synthetic plugin for the pi
    # coding agent, marks its models `supportsDeveloperRole: false`); system carries the same text.
    accepts_developer_role=False,
    # R1-style models put their thinking in content between <think> tags; a model added after this
    # catalog was written most likely does the same, and plain answers pass through untouched.
    default_reasoning_format="think_tags",
    # Synthetic's API docs: GET https://api.synthetic.new/v2/quotas, outside the OpenAI base; chat
    # responses may carry the same JSON in x-synthetic-quotas.
    # "syn:large:text", "syn:small:text", "syn:large:vision", "syn:small:vision": the current
    # recommended model of a category, listed in the live model list.
    alias_prefix="syn:",
    alias_target_prefix="hf:",
    quotas_path="/v2/quotas",
    quotas_header="x-synthetic-quotas",
    forwarded_headers=("x-synthetic-quotas",),
    # Synthetic's web search: POST https://api.synthetic.new/v2/search with {"query": ...}, answering
    # {"results": [{"url", "title", "text", "published"}]} ("published" may be missing). It takes only
    # the query: how many results to keep is the client's cut. Its calls count against the quotas'
    # search.hourly window; a used-up window is a 429 carrying x-synthetic-quotas.
    search=SearchEndpoint(
        path="/v2/search",
        required=MappingProxyType({"url": "url", "title": "title", "snippet": "text"}),
        optional=MappingProxyType({"date": "published"}),
    ),
    docs_url="https://synthetic.new",
)
