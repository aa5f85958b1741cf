"""Rule packs: loading, the pack model."""

from .loader import DEFAULT_PACK, builtin_pack_ids, builtin_root, display_path, load_pack, resolve_pack_dir
from .model import Pack, Rule

__all__ = [
    "DEFAULT_PACK",
    "Pack",
    "Rule",
    "builtin_pack_ids",
    "builtin_root",
    "display_path",
    "load_pack",
    "resolve_pack_dir",
]
