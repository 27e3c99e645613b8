"""The reply composer: template picker, editor, drafts and sending."""
