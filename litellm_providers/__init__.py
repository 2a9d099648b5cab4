"""Synthetic, Synternet and the Syncropel gateway as first-class LiteLLM providers.

import litellm, litellm_providers
litellm_providers.register()
litellm.completion(model="synthetic/hf:zai-org/GLM-4.6", messages=[...])
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["__version__", "register"]

if TYPE_CHECKING:
    from litellm_providers.registration import register


def __getattr__(name: str) -> Any:
    # Importing the package stays cheap (no LiteLLM import) until the caller asks for the wiring.
    if name == "register":
        from litellm_providers.registration import register

        return register
    raise AttributeError(f"module 'litellm_providers' has no attribute {name!r}")
