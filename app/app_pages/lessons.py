"""Lessons: predict what a run will do, then see it and learn why."""

from app.lessons_view import show_page

show_page()
