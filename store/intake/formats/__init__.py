"""The source formats intake recognises: Shiftdesk's own, Zendesk's and Freshdesk's exports."""
