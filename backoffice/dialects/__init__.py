"""The vendor dialects: each turns its vendor's requests into core calls and the results back."""
