"""The Explorer: watch optimizers descend a 2-D surface, then read why they did what they did."""

import streamlit as st

from app import explorer_view as view
from app.classroom import show_share_tools
from app.computations import show_notice
from app.explorer_runs import budgeted, compute_runs
from app.explorer_settings import draw_controls, url_table_for_link
from app.figures import path_views
from app.lesson_panel import open_requested_lesson, show_lesson_panel
from app.url_state import apply_url_parameters, finish_url_parameters, show_notices

lesson = open_requested_lesson()
notices = apply_url_parameters(url_table_for_link, scope="explorer")
settings, budget_notice = budgeted(draw_controls())
show_notices(notices)
show_notice(budget_notice)
view.show_header(settings)
run_hidden = show_lesson_panel(lesson)
paths = []
if not run_hidden:
    runs, slots, failures = compute_runs(settings)
    paths = path_views(runs, slots)
    view.show_failures(failures)
    view.show_diagnoses(paths)

view.show_descent(settings, paths)

show_anatomy, show_table, show_3d = view.draw_view_toggles()
view.show_3d(settings, paths, show_3d)
inspected = view.inspected_path(paths, st) if show_anatomy or show_table else None
if inspected is not None:
    if show_anatomy:
        view.show_anatomy(inspected, settings.steps)
    if show_table:
        view.show_table(inspected)

show_share_tools("/")
finish_url_parameters("explorer")
