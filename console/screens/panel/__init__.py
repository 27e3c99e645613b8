"""The supervisor's live SLA panel."""
