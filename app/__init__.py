"""Descent Lab's Streamlit front end: pages, figure builders and shared widgets."""
