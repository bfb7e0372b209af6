"""Descent Lab's entry point: `streamlit run app/streamlit_app.py` (or `make run`).

Each page is one script in app/app_pages/; to add a page, add its st.Page line to PAGES.
"""

import streamlit as st

from app.classroom import draw_presentation_toggle, sidebar_state

# Presentation mode folds the sidebar away, and only the first configuration of a page can.
st.set_page_config(
    page_title="Descent Lab",
    page_icon=":material/landscape:",
    layout="wide",
    initial_sidebar_state=sidebar_state(st.query_params),
)

PAGES = [
    st.Page("app_pages/explorer.py", title="Explorer", icon=":material/explore:", default=True),
    st.Page("app_pages/sweeps.py", title="Learning-rate lab", icon=":material/show_chart:"),
    st.Page("app_pages/network.py", title="Network Lab", icon=":material/hub:"),
    st.Page("app_pages/lessons.py", title="Lessons", icon=":material/school:"),
]

navigation = st.navigation(PAGES, position="top")
draw_presentation_toggle()
navigation.run()
