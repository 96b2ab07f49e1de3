"""Python source as text and as stdlib `ast`: loading, walking statement bodies, scopes."""
