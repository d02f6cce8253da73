"""Study logic as pure functions with explicit times: scheduling, quizzes, statistics."""
