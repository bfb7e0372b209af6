"""Descent Lab's entry point: `streamlit run app/streamlit_app.py` (or `make run`).

Each page is one script in app/app_pages/; to add a page, add its st.Page line to PAGES.
"""

import streamlit as st

st.set_page_config(page_title="Descent Lab", page_icon="⛰️", layout="wide")

PAGES = [
    st.Page("app_pages/explorer.py", title="Explorer", icon=":material/explore:", default=True),
    st.Page("app_pages/sweeps.py", title="Learning-rate lab", icon="📈"),
    st.Page("app_pages/network.py", title="Network Lab", icon="🧠"),
    st.Page("app_pages/lessons.py", title="Lessons", icon="🎓"),
]

st.navigation(PAGES, position="top").run()
