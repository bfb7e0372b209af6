"""The learning-rate lab: learning-rate sweeps, basins of attraction, lr x momentum maps and
random starts, with the Explorer's surface and optimizer settings."""

import streamlit as st

from app import sweep_settings as lab
from app.classroom import show_share_tools
from app.explorer_settings import draw_controls
from app.sweep_views import STUDY_VIEWS
from app.untrusted_text import MESSAGE_LIMIT, escape_markdown
from app.url_state import apply_url_parameters, finish_url_parameters, show_notices
from core.sweeps import MAX_SWEEP_STEPS

notices = apply_url_parameters(lab.url_table_for_link, scope="sweeps")
settings = draw_controls()
show_notices(notices)
st.subheader(f"Learning-rate lab · {escape_markdown(settings.surface.title, limit=MESSAGE_LIMIT)}")
st.caption(
    "What a single path cannot show: the same descent run hundreds or thousands of "
    "times at once. The sidebar is the Explorer's; changes carry over between the pages."
)
inputs = lab.StudyInputs.from_settings(settings)
if inputs.capped:
    st.info(
        f"The studies run at most {MAX_SWEEP_STEPS:,} steps per run "
        f"(the sidebar asks for {settings.steps:,}).",
        icon=":material/speed:",
    )
study = lab.draw_study(st)
if settings.optimizers:
    STUDY_VIEWS[study](inputs)
else:
    st.error("Every optimizer in the sidebar has an invalid setting: fix it to run a study.")
show_share_tools("/sweeps")
finish_url_parameters("sweeps")
