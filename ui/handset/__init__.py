"""The handset window: a Yealink-style faceplate widget and its data skins."""

from ui.handset.skin import Skin, load_skin, skin_names
from ui.handset.widget import HandsetWidget

__all__ = ["HandsetWidget", "Skin", "load_skin", "skin_names"]
