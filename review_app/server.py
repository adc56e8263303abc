"""What `backfill review` serves: the review app (app.py) on Streamlit's own ASGI server, with the
two HTTP routes of its session cookie (review_app.web). `streamlit run review_app/server.py` finds
`app` below; AppTest and `streamlit run review_app/app.py` run the app without them (no cookie:
a reload then asks for the login again)."""

import streamlit as st

from review_app.web import ROUTES

app = st.App("app.py", routes=ROUTES)
