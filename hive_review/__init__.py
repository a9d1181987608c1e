"""The review logic of Hive Review: session log, ratings, feedback delivery, exports, batch runs and
statistics. Plain Python (pandas, SQLAlchemy); no Streamlit, no HTTP of its own."""
