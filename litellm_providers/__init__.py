"""Synthetic, Synternet and the Syncropel gateway as first-class LiteLLM providers.

import litellm, litellm_providers
litellm_providers.register()
litellm.completion(model="synthetic/hf:zai-org/GLM-4.6", messages=[...])
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["__version__", "refresh_catalog", "register"]

if TYPE_CHECKING:
    from litellm_providers.refresh import refresh_catalog
    from litellm_providers.registration import register


def __getattr__(name: str) -> Any:
    # Importing the package stays cheap (no LiteLLM import) until the caller asks for the wiring.
    if name == "register":
        from litellm_providers.registration import register

        return register
    if name == "refresh_catalog":
        from litellm_providers.refresh import refresh_catalog

        return refresh_catalog
    raise AttributeError(f"module 'litellm_providers' has no attribute {name!r}")
