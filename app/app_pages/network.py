"""The Network Lab: train a small network step by step and look at its loss landscape."""

import streamlit as st

from app import network_view as view
from app.classroom import show_share_tools
from app.network_session import current_session
from app.network_settings import draw_controls, url_table
from app.untrusted_text import MESSAGE_LIMIT, escape_markdown
from app.url_state import apply_url_parameters, finish_url_parameters, show_notices

notices = apply_url_parameters(url_table, scope="network")  # the loss follows the link's data
settings = draw_controls()
view.show_header()
show_notices(notices)
if settings.error:
    st.error(f"These settings cannot train: {escape_markdown(settings.error, limit=MESSAGE_LIMIT)}")
else:
    view.show_lab(current_session(st.session_state, settings))

show_share_tools("/network")
finish_url_parameters("network")
