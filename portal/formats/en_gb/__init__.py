"""Date and time formats of the portal's locale (ISO first; British forms accepted on input)."""
