"""``/services/courses``: the courses an instructor owns, with their lists and members.

A course document (what PUT takes and GET gives back)::

    name: Demo                 # with the owner's username, the identifier (required)
    title: Demo course         # (required)
    description: ...
    annotation: ...            # private: only the owner (and administrators) read it
    public: 1                  # 0 or 1: other instructors see (and may copy) the course
    official: 1                # 0 or 1: anybody may join; only administrators set it
    lists: [Demo]              # names of the owner's lists, in order
    documents: [Demo1, Demo2]  # document names (kept as given)
    students: [student1@asdf.com, ...]   # emails; an email without an account is an invitation
    tutors: [tutor1@asdf.com, ...]

At most ``service.MAX_MEMBERS`` students and as many tutors, ``service.MAX_COURSE_LISTS`` lists
and ``service.MAX_DOCUMENTS`` documents (400 beyond).

A student named here who has an account is invited, not enrolled: until they accept (by
``POST /services/courses/owner:name/accept``, by registering, or by submitting in the course)
``/problems`` lists them under ``not_enrolled``, like students without an account, and then
reports only problems solved in this course (issue 10, M3).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from verdict.courses import access, registration, service
from verdict.courses.names import parse_ident
from verdict.errors import NotFound
from verdict.faces.jutge.common import Document, InputDocument, ServicesUser, start_writing, visible_document
from verdict.faces.jutge.errors import render
from verdict.web.deps import DbSession
from verdict.web.openapi import request_body

router = APIRouter(tags=["jutge: courses"])

PUT_BODY = request_body(
    {"application/yaml": {"type": "object"}},
    description="A course document in YAML (or JSON), e.g. `curl -T course.yml .../services/courses`.",
)


def read_course(doc: Any) -> service.CourseSpec:
    document = Document(doc)
    spec = service.CourseSpec(
        name=document.text("name", required=True),
        title=document.text("title", required=True),
        description=document.text("description"),
        annotation=document.text("annotation"),
        public=document.flag("public"),
        official=document.flag("official"),
        lists=document.strings("lists"),
        documents=document.strings("documents"),
        students=document.strings("students"),
        tutors=document.strings("tutors"),
    )
    service.check_course_counts(spec)
    return spec


def course_document(spec: service.CourseSpec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "title": spec.title,
        "description": spec.description,
        "annotation": spec.annotation,
        "public": int(spec.public),
        "official": int(spec.official),
        "lists": spec.lists,
        "documents": spec.documents,
        "students": spec.students,
        "tutors": spec.tutors,
    }


@router.get("/courses", summary="Courses the user owns, is enrolled in, and the public ones")
def list_courses(request: Request, user: ServicesUser, session: DbSession) -> Response:
    return render(request, visible_document(service.visible_courses(session, user)))


@router.put("/courses", summary="Create or replace a course", openapi_extra=PUT_BODY)
def put_course(request: Request, user: ServicesUser, doc: InputDocument, session: DbSession) -> Response:
    spec = read_course(doc)
    start_writing(session)
    course, created = service.put_course(session, user, spec)
    answer = course_document(service.course_spec(course))
    session.commit()
    return render(request, answer, 201 if created else 200)


@router.get("/courses/{ident}", summary="A course document (owner:name)")
def get_course(request: Request, ident: str, user: ServicesUser, session: DbSession) -> Response:
    course = service.get_course(session, *parse_ident(ident, user))
    full = access.check_can_read_course(session, course, user)
    annotation = access.may_read_annotation(user, course)  # not tutors (issue 10, L2)
    return render(request, course_document(service.course_spec(course, full=full, annotation=annotation)))


@router.delete("/courses/{ident}", summary="Delete a course")
def delete_course(request: Request, ident: str, user: ServicesUser, session: DbSession) -> Response:
    start_writing(session)
    owner, name = parse_ident(ident, user)
    course = service.get_course(session, owner, name)
    service.delete_course(session, user, course)
    session.commit()
    return render(request, {"deleted": f"{owner}:{name}"})


@router.get("/courses/{ident}/problems", summary="The course's problems solved by each student")
def course_problems(request: Request, ident: str, user: ServicesUser, session: DbSession) -> Response:
    owner, name = parse_ident(ident, user)
    course = service.get_course(session, owner, name)
    access.check_can_see_progress(session, course, user)
    progress = service.course_progress(session, course)
    return render(
        request,
        {
            "owner": owner,
            "name": course.name,
            "title": course.title,
            "problems_solved": progress.problems_solved,
            "not_enrolled": progress.not_enrolled,
        },
    )


@router.post("/courses/{ident}/accept", summary="Accept the invitation to a course (students)")
def accept_course(request: Request, ident: str, user: ServicesUser, session: DbSession) -> Response:
    owner, name = parse_ident(ident, user)
    course = service.get_course(session, owner, name)
    start_writing(session)
    if not registration.accept_invitation(session, course, user):
        # The same answer as for an unknown course: nobody learns who is invited where.
        raise NotFound(f"no course {owner}:{name}")
    session.commit()
    return render(request, {"accepted": f"{owner}:{name}"})
