"""Every model of the platform in one import (``from verdict.models import User, Submission``).

Importing this module registers all tables on ``verdict.db.Base.metadata``, which is what the
migrations are compared against. Each model lives in its feature package.
"""

from __future__ import annotations

from verdict.accounts.models import ApiToken, LoginAttempt, Role, User
from verdict.competitions.models import (
    Competition,
    CompetitionStatus,
    Match,
    MatchStatus,
    Participant,
    Round,
    RoundStatus,
    Seat,
)
from verdict.courses.models import (
    Course,
    CourseList,
    CourseMember,
    Evaluate,
    ListItem,
    ListItemKind,
    MemberRole,
    ProblemList,
    Registration,
    Task,
)
from verdict.db import Base
from verdict.exams.models import Exam, ExamProblem, ExamStudent, Protection
from verdict.problems.models import Blob, Problem, ProblemVersion
from verdict.submissions.models import Submission, SubmissionStatus, SubmissionTest

__all__ = [
    "ApiToken",
    "Base",
    "Blob",
    "Competition",
    "CompetitionStatus",
    "Course",
    "CourseList",
    "CourseMember",
    "Evaluate",
    "Exam",
    "ExamProblem",
    "ExamStudent",
    "ListItem",
    "ListItemKind",
    "LoginAttempt",
    "Match",
    "MatchStatus",
    "MemberRole",
    "Participant",
    "Problem",
    "ProblemList",
    "ProblemVersion",
    "Protection",
    "Registration",
    "Role",
    "Round",
    "RoundStatus",
    "Seat",
    "Submission",
    "SubmissionStatus",
    "SubmissionTest",
    "Task",
    "User",
]
