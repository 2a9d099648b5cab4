"""The providers this package adds to LiteLLM, one module each."""

from litellm_providers.provider import ProviderSpec
from litellm_providers.providers import syncropic, synternet, synthetic

PROVIDERS: dict[str, ProviderSpec] = {
    spec.route: spec for spec in (synthetic.PROVIDER, synternet.PROVIDER, syncropic.PROVIDER)
}
