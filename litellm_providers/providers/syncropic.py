"""Syncropel's managed inference gateway, api.syncropic.com (shared/seeds/003_*).

OpenAI-compatible, plus what the gateway adds: its own prices, the cost of each call in a header,
the tier that served it, a request id to quote to support, and quota errors with their own codes.
"""

from types import MappingProxyType

from litellm_providers.provider import COMMON_CHAT_PARAMS, ProviderSpec

PROVIDER = ProviderSpec(
    route="syncropic",
    display_name="Syncropel gateway",
    default_api_base="https://api.syncropic.com/v1",
    # The gateway documents SYNCROPEL_API_KEY (the product's name), the base URL uses the domain's.
    api_key_env="SYNCROPEL_API_KEY",
    # "Anonymous tier is meant for evaluation — you don't need a Syncropel subscription to try the
    # gateway, but you're limited to a single low-cost model": bearer type "Anonymous (no Syncropel
    # account)". A call with no key goes out with no Authorization header; the gateway serves
    # gemini-flash-1.5 ("Anonymous + Paid") and answers 402 subscription_required for the rest.
    anonymous_access=True,
    anonymous_tier="anonymous",
    streams_usage=True,
    # "The full live model list, with current pricing, is available via the capabilities endpoint."
    models_path="/capabilities",
    api_base_env="SYNCROPIC_API_BASE",
    chat_params=COMMON_CHAT_PARAMS | {"frequency_penalty", "presence_penalty"},
    # The gateway documents no roles beyond its user examples, and fronts Claude and Gemini, which
    # have no developer role; system is what every backing model reads, so developer goes as system.
    accepts_developer_role=False,
    # The documented error table: the code is more precise than the status (two kinds of 402).
    error_codes=MappingProxyType(
        {
            "invalid_bearer": "AuthenticationError",
            "invalid_jwt_signature": "AuthenticationError",
            "subscription_required": "PaymentRequiredError",
            "quota_exceeded": "PaymentRequiredError",
            "rate_limited": "RateLimitError",
            "provider_error": "ServiceUnavailableError",
            "internal_error": "ServiceUnavailableError",
        }
    ),
    request_id_header="X-Syncropic-Request-ID",
    forwarded_headers=("X-Syncropic-Cost-Cents", "X-Syncropic-Tier", "X-Syncropic-Request-ID"),
    cost_header="X-Syncropic-Cost-Cents",
    cost_header_usd_per_unit=0.01,
    docs_url="https://syncropel.com",
)
