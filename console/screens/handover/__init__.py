"""The handover screens: the lead's editor, the submitted document, history and the merge after a refused save."""
