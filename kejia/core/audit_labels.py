"""The audit log in words: one label per action code and per recorded field, and the values of
those fields as people read them (是/否, choice labels, lists). Every page that shows audit events
(the audit log, an organization's recent changes, a profile's or a membership's history) takes its
labels from here; `kejia/core/tests/test_audit_labels.py` fails when a service writes an action or
a field this registry does not know."""

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

ACTION_LABELS = {
    "calls.create_call": pgettext_lazy("audit action", "Call created"),
    "calls.published": pgettext_lazy("audit action", "Call published"),
    "calls.closed": pgettext_lazy("audit action", "Call closed"),
    "calls.demo_seeded": pgettext_lazy("audit action", "Demo calls for projects created"),
    "calls.create_application": pgettext_lazy("audit action", "Application started"),
    "calls.save_draft": pgettext_lazy("audit action", "Application draft saved"),
    "calls.create_project": pgettext_lazy("audit action", "Project created"),
    "calls.record_objection": pgettext_lazy("audit action", "Objection received"),
    "calls.handle_objection": pgettext_lazy("audit action", "Objection handled"),
    "calls.record_payment": pgettext_lazy("audit action", "Payment recorded"),
    "calls.submit_deliverable": pgettext_lazy("audit action", "Deliverable handed in"),
    "calls.publish_deliverable": pgettext_lazy("audit action", "Deliverable published in the case library"),
    "calls.unpublish_deliverable": pgettext_lazy("audit action", "Deliverable taken out of the case library"),
    "calls.add_attachment": pgettext_lazy("audit action", "Call attachment added"),
    "calls.upload_file": pgettext_lazy("audit action", "File uploaded for an application"),
    "calls.print_application": pgettext_lazy("audit action", "Application printed (downloaded)"),
    "calls.download_archive": pgettext_lazy("audit action", "All applications of a call downloaded"),
    "calls.submit": pgettext_lazy("audit action", "Application submitted"),
    "calls.withdraw": pgettext_lazy("audit action", "Application withdrawn"),
    "calls.recommend": pgettext_lazy("audit action", "Application recommended"),
    "calls.return_to_applicant": pgettext_lazy("audit action", "Returned to the applicant"),
    "calls.accept": pgettext_lazy("audit action", "Formal check passed"),
    "calls.return_for_correction": pgettext_lazy("audit action", "Returned for correction"),
    "calls.refuse": pgettext_lazy("audit action", "Refused at the formal check"),
    "calls.rank": pgettext_lazy("audit action", "Ranked at the review meeting"),
    "calls.select": pgettext_lazy("audit action", "Selected"),
    "calls.reject": pgettext_lazy("audit action", "Not selected"),
    "calls.announce": pgettext_lazy("audit action", "Announced publicly"),
    "calls.uphold_objection": pgettext_lazy("audit action", "Objection upheld"),
    "calls.approve": pgettext_lazy("audit action", "Approved as a project"),
    "calls.pass_midterm": pgettext_lazy("audit action", "Mid-term review passed"),
    "calls.fail_midterm": pgettext_lazy("audit action", "Mid-term review failed"),
    "calls.conclude": pgettext_lazy("audit action", "Final acceptance passed"),
    "calls.refuse_conclusion": pgettext_lazy("audit action", "Final acceptance refused"),
    "calls.update_call": pgettext_lazy("audit action", "Draft call edited"),
    "calls.extend_deadline": pgettext_lazy("audit action", "Call deadline extended"),
    "people.import_good_rows": pgettext_lazy("audit action", "Good rows of a failed import imported"),
    "person.export_downloaded": pgettext_lazy("audit action", "People list export downloaded"),
    "person.export_requested": pgettext_lazy("audit action", "People list export requested"),
    "person.link_requested": pgettext_lazy("audit action", "Account link to a profile requested"),
    "user.registered": pgettext_lazy("audit action", "Account registered"),
    "user.registration_existing": pgettext_lazy("audit action", "Registration tried with an existing contact"),
    "activities.demo_seeded": pgettext_lazy("audit action", "Demo activities created"),
    "api_token.issued": pgettext_lazy("audit action", "API token issued"),
    "api_token.revoked": pgettext_lazy("audit action", "API token revoked"),
    "attendance_certificate.issued": pgettext_lazy("audit action", "Certificate of attendance issued"),
    "attendance_certificate.revoked": pgettext_lazy("audit action", "Certificate of attendance revoked"),
    "body.created": pgettext_lazy("audit action", "Leadership body created"),
    "certificate.issued": pgettext_lazy("audit action", "Membership certificate issued"),
    "certificate_key.resealed": pgettext_lazy("audit action", "Certificate signing key resealed"),
    "certificate_key.rotated": pgettext_lazy("audit action", "Certificate signing key replaced"),
    "contact.assigned": pgettext_lazy("audit action", "Contact duty assigned"),
    "contact.ended": pgettext_lazy("audit action", "Contact duty ended"),
    "contact.visit_logged": pgettext_lazy("audit action", "Visit recorded"),
    "demand.cancelled": pgettext_lazy("audit action", "Service request cancelled"),
    "demand.done": pgettext_lazy("audit action", "Service request completed"),
    "demand.posted": pgettext_lazy("audit action", "Service request posted"),
    "demand.taken": pgettext_lazy("audit action", "Service request taken"),
    "demand.withdrawn": pgettext_lazy("audit action", "Service request handed back"),
    "dues.confirmed": pgettext_lazy("audit action", "Dues payment confirmed"),
    "dues.online_started": pgettext_lazy("audit action", "Online dues payment started"),
    "dues.recorded": pgettext_lazy("audit action", "Dues payment recorded"),
    "dues.rejected": pgettext_lazy("audit action", "Dues payment not accepted"),
    "dues.reported": pgettext_lazy("audit action", "Dues payment reported"),
    "event.cancelled": pgettext_lazy("audit action", "Event cancelled"),
    "event.created": pgettext_lazy("audit action", "Event created"),
    "event.finished": pgettext_lazy("audit action", "Event ended"),
    "event.invited": pgettext_lazy("audit action", "Invitations sent"),
    "event.published": pgettext_lazy("audit action", "Event published"),
    "event.updated": pgettext_lazy("audit action", "Event changed"),
    "filing.approved": pgettext_lazy("audit action", "Filing approved"),
    "filing.resubmitted": pgettext_lazy("audit action", "Filing sent again"),
    "filing.returned": pgettext_lazy("audit action", "Filing returned"),
    "filing.submitted": pgettext_lazy("audit action", "Filing submitted"),
    "filing.withdrawn": pgettext_lazy("audit action", "Filing withdrawn"),
    "governance.demo_seeded": pgettext_lazy("audit action", "Demo governance data created"),
    "key_staff.ended": pgettext_lazy("audit action", "Key staff post ended"),
    "key_staff.imported": pgettext_lazy("audit action", "Key staff imported"),
    "key_staff.recorded": pgettext_lazy("audit action", "Key staff recorded"),
    "key_staff_category.created": pgettext_lazy("audit action", "Key staff category created"),
    "key_staff_category.updated": pgettext_lazy("audit action", "Key staff category changed"),
    "key_staff_target.set": pgettext_lazy("audit action", "Key staff target set"),
    "member_class.created": pgettext_lazy("audit action", "Member class created"),
    "member_class.updated": pgettext_lazy("audit action", "Member class changed"),
    "membership.apply": pgettext_lazy("audit action", "Membership applied for"),
    "membership.approve_step": pgettext_lazy("audit action", "Membership approval step passed"),
    "membership.approve": pgettext_lazy("audit action", "Membership approved"),
    "membership.reject": pgettext_lazy("audit action", "Membership refused"),
    "membership.ask_more": pgettext_lazy("audit action", "More information asked of an applicant"),
    "membership.supply": pgettext_lazy("audit action", "Information supplied by an applicant"),
    "membership.withdraw": pgettext_lazy("audit action", "Membership application withdrawn"),
    "membership.transfer": pgettext_lazy("audit action", "Member moved to another class"),
    "membership.suspend": pgettext_lazy("audit action", "Membership suspended"),
    "membership.reinstate": pgettext_lazy("audit action", "Membership reinstated"),
    "membership.lapse": pgettext_lazy("audit action", "Membership lapsed"),
    "membership.renew": pgettext_lazy("audit action", "Membership renewed"),
    "membership.resign": pgettext_lazy("audit action", "Member resigned"),
    "membership.terminate": pgettext_lazy("audit action", "Membership ended by the society"),
    "membership.readmit": pgettext_lazy("audit action", "Member readmitted"),
    "membership.representative_added": pgettext_lazy("audit action", "Group member representative added"),
    "membership.representative_removed": pgettext_lazy("audit action", "Group member representative removed"),
    "membership.demo_seeded": pgettext_lazy("audit action", "Demo memberships created"),
    "membership_rules.updated": pgettext_lazy("audit action", "Membership rules changed"),
    "memberships.imported": pgettext_lazy("audit action", "Members imported"),
    "organization.created": pgettext_lazy("audit action", "Organization created"),
    "organization.demo_seeded": pgettext_lazy("audit action", "Demo organizations created"),
    "organization.moved": pgettext_lazy("audit action", "Organization moved"),
    "organization.status_changed": pgettext_lazy("audit action", "Status changed"),
    "organization.updated": pgettext_lazy("audit action", "Organization changed"),
    "people.import_abandoned": pgettext_lazy("audit action", "Import abandoned"),
    "people.import_checked": pgettext_lazy("audit action", "Import file checked"),
    "people.imported": pgettext_lazy("audit action", "People imported"),
    "person.account_linked": pgettext_lazy("audit action", "Account linked"),
    "person.account_unlinked": pgettext_lazy("audit action", "Account link undone"),
    "person.achievement_added": pgettext_lazy("audit action", "Achievement added"),
    "person.achievement_removed": pgettext_lazy("audit action", "Achievement removed"),
    "person.anonymized": pgettext_lazy("audit action", "Anonymized on request"),
    "person.consent_recorded": pgettext_lazy("audit action", "Consent recorded"),
    "person.created": pgettext_lazy("audit action", "Profile created"),
    "person.willing_to_review": pgettext_lazy("audit action", "Willingness to review changed"),
    "person.demo_seeded": pgettext_lazy("audit action", "Demo people created"),
    "person.exported": pgettext_lazy("audit action", "People list exported"),
    "person.exported_unmasked": pgettext_lazy("audit action", "People list exported with full identifiers"),
    "person.kept_apart": pgettext_lazy("audit action", "Kept apart (not the same person)"),
    "person.link_code_sent": pgettext_lazy("audit action", "Code sent to link an account"),
    "person.link_failed": pgettext_lazy("audit action", "Failed attempt to link an account"),
    "person.listed": pgettext_lazy("audit action", "Listed by an organization"),
    "person.match_queued": pgettext_lazy("audit action", "Possible duplicate queued for review"),
    "person.merged": pgettext_lazy("audit action", "Merged"),
    "person.pii_revealed": pgettext_lazy("audit action", "Unmasked identifiers viewed"),
    "person.unlisted": pgettext_lazy("audit action", "Removed from an organization's list"),
    "person.unmerged": pgettext_lazy("audit action", "Merge undone"),
    "person.updated": pgettext_lazy("audit action", "Profile changed"),
    "post.approved": pgettext_lazy("audit action", "Concurrent post approved"),
    "post.declared": pgettext_lazy("audit action", "Concurrent post declared"),
    "post.ended": pgettext_lazy("audit action", "Concurrent post ended"),
    "registration.cancelled": pgettext_lazy("audit action", "Registration cancelled"),
    "registration.checked_in": pgettext_lazy("audit action", "Checked in"),
    "registration.checkin_undone": pgettext_lazy("audit action", "Check-in undone"),
    "registration.created": pgettext_lazy("audit action", "Registered for an event"),
    "registration.promoted": pgettext_lazy("audit action", "Moved up from the waiting list"),
    "role.granted": pgettext_lazy("audit action", "Role granted"),
    "role.revoked": pgettext_lazy("audit action", "Role revoked"),
    "rule.added": pgettext_lazy("audit action", "Rule added"),
    "rule.deleted": pgettext_lazy("audit action", "Rule deleted"),
    "rule.updated": pgettext_lazy("audit action", "Rule changed"),
    "ruleset.assigned": pgettext_lazy("audit action", "Rule set applied to an organization"),
    "ruleset.created": pgettext_lazy("audit action", "Rule set created"),
    "ruleset.unassigned": pgettext_lazy("audit action", "Rule set no longer applied"),
    "ruleset.updated": pgettext_lazy("audit action", "Rule set changed"),
    "seat.added": pgettext_lazy("audit action", "Member of a leadership body added"),
    "seat.post_approved": pgettext_lazy("audit action", "Post of a body member approved"),
    "seat.vacated": pgettext_lazy("audit action", "Seat vacated"),
    "service.confirmed": pgettext_lazy("audit action", "Volunteer service confirmed"),
    "service.corrected": pgettext_lazy("audit action", "Volunteer service corrected"),
    "service.recorded": pgettext_lazy("audit action", "Volunteer service recorded"),
    "service.rejected": pgettext_lazy("audit action", "Volunteer service not confirmed"),
    "slate.created": pgettext_lazy("audit action", "Slate of candidates drafted"),
    "slate.deleted": pgettext_lazy("audit action", "Slate of candidates deleted"),
    "slate.entry_removed": pgettext_lazy("audit action", "Candidate removed from a slate"),
    "slate.entry_set": pgettext_lazy("audit action", "Candidate put on a slate"),
    "survey.answered": pgettext_lazy("audit action", "Survey answered"),
    "survey.closed": pgettext_lazy("audit action", "Survey closed"),
    "survey.created": pgettext_lazy("audit action", "Survey created"),
    "survey.invited": pgettext_lazy("audit action", "Survey invitations sent"),
    "survey.published": pgettext_lazy("audit action", "Survey published"),
    "survey.question_added": pgettext_lazy("audit action", "Question added"),
    "survey.question_changed": pgettext_lazy("audit action", "Question changed"),
    "survey.question_deleted": pgettext_lazy("audit action", "Question deleted"),
    "survey.question_moved": pgettext_lazy("audit action", "Question moved"),
    "survey.reminded": pgettext_lazy("audit action", "Survey reminders sent"),
    "survey.reopened": pgettext_lazy("audit action", "Survey reopened"),
    "survey.station_entry": pgettext_lazy("audit action", "Paper answers entered at a station"),
    "survey.subjects_set": pgettext_lazy("audit action", "Organizations evaluated set"),
    "survey.target_added": pgettext_lazy("audit action", "Survey audience added"),
    "survey.target_removed": pgettext_lazy("audit action", "Survey audience removed"),
    "survey.template_installed": pgettext_lazy("audit action", "Survey template installed"),
    "survey.updated": pgettext_lazy("audit action", "Survey changed"),
    "surveys.demo_seeded": pgettext_lazy("audit action", "Demo surveys created"),
    "team_member.added": pgettext_lazy("audit action", "Volunteer added to a team"),
    "team_member.removed": pgettext_lazy("audit action", "Volunteer removed from a team"),
    "team_member.role_changed": pgettext_lazy("audit action", "Volunteer's role changed"),
    "term.ended": pgettext_lazy("audit action", "Term ended"),
    "term.started": pgettext_lazy("audit action", "Term started"),
    "user.created": pgettext_lazy("audit action", "User created"),
    "user.password_changed": pgettext_lazy("audit action", "Password changed"),
    "user.password_reset": pgettext_lazy("audit action", "Password reset"),
    "user.password_reset_failed": pgettext_lazy("audit action", "Password reset failed"),
    "user.password_reset_refused": pgettext_lazy("audit action", "Password reset refused"),
    "user.password_reset_requested": pgettext_lazy("audit action", "Password reset requested"),
    "voice.answer_published": pgettext_lazy("audit action", "Answer published"),
    "voice.calendar_day_removed": pgettext_lazy("audit action", "Working-day exception removed"),
    "voice.calendar_day_set": pgettext_lazy("audit action", "Working-day exception set"),
    "voice.deadline_rule_removed": pgettext_lazy("audit action", "Deadline rule removed"),
    "voice.deadline_rule_set": pgettext_lazy("audit action", "Deadline rule set"),
    "voice.demo_seeded": pgettext_lazy("audit action", "Demo suggestions created"),
    "voice.item_answered": pgettext_lazy("audit action", "Suggestion answered"),
    "voice.item_assigned": pgettext_lazy("audit action", "Suggestion assigned"),
    "voice.item_closed": pgettext_lazy("audit action", "Suggestion closed"),
    "voice.item_escalated": pgettext_lazy("audit action", "Suggestion escalated"),
    "voice.item_forwarded": pgettext_lazy("audit action", "Suggestion forwarded"),
    "voice.item_publicity": pgettext_lazy("audit action", "Publicity of a suggestion changed"),
    "voice.item_rated": pgettext_lazy("audit action", "Answer rated"),
    "voice.item_reopened": pgettext_lazy("audit action", "Suggestion reopened"),
    "voice.item_sent": pgettext_lazy("audit action", "Suggestion sent"),
    "volunteering.demo_seeded": pgettext_lazy("audit action", "Demo volunteer service created"),
    "review.accept_invitation": pgettext_lazy("audit action", "Invitation to review accepted"),
    "review.add_item": pgettext_lazy("audit action", "Item added to a review round"),
    "review.close_round": pgettext_lazy("audit action", "Review round closed"),
    "review.create_round": pgettext_lazy("audit action", "Review round created"),
    "review.declare_conflict": pgettext_lazy("audit action", "Conflict of interest declared by a reviewer"),
    "review.declare_relation": pgettext_lazy("audit action", "Relation declared between two people"),
    "review.decline_invitation": pgettext_lazy("audit action", "Invitation to review declined"),
    "review.invite": pgettext_lazy("audit action", "Reviewer invited"),
    "review.record_conflict": pgettext_lazy("audit action", "Conflict of interest found after the fact"),
    "review.run_assignment": pgettext_lazy("audit action", "Reviewers assigned"),
    "review.save_sheet": pgettext_lazy("audit action", "Score sheet saved"),
    "review.set_deadline": pgettext_lazy("audit action", "Deadline for scores set"),
    "review.start_scoring": pgettext_lazy("audit action", "Scoring started"),
    "review.submit_sheet": pgettext_lazy("audit action", "Score sheet submitted"),
    "review.swap": pgettext_lazy("audit action", "Reviewer swapped"),
}

# The first part of the codes: the kind of object, a group in the audit log's filter.
KIND_LABELS = {
    "activities": pgettext_lazy("audit object", "Events (demo data)"),
    "api_token": pgettext_lazy("audit object", "API tokens"),
    "attendance_certificate": pgettext_lazy("audit object", "Certificates of attendance"),
    "body": pgettext_lazy("audit object", "Leadership bodies"),
    "calls": pgettext_lazy("audit object", "Calls for projects"),
    "certificate": pgettext_lazy("audit object", "Membership certificates"),
    "certificate_key": pgettext_lazy("audit object", "Certificate signing keys"),
    "contact": pgettext_lazy("audit object", "Contact duties"),
    "demand": pgettext_lazy("audit object", "Service requests"),
    "dues": pgettext_lazy("audit object", "Dues"),
    "event": pgettext_lazy("audit object", "Events"),
    "filing": pgettext_lazy("audit object", "Filings"),
    "governance": pgettext_lazy("audit object", "Governance (demo data)"),
    "key_staff": pgettext_lazy("audit object", "Grassroots key staff"),
    "key_staff_category": pgettext_lazy("audit object", "Key staff categories"),
    "key_staff_target": pgettext_lazy("audit object", "Key staff targets"),
    "member_class": pgettext_lazy("audit object", "Member classes"),
    "membership": pgettext_lazy("audit object", "Memberships"),
    "membership_rules": pgettext_lazy("audit object", "Membership rules"),
    "memberships": pgettext_lazy("audit object", "Member imports"),
    "organization": pgettext_lazy("audit object", "Organizations"),
    "people": pgettext_lazy("audit object", "People imports"),
    "person": pgettext_lazy("audit object", "Profiles"),
    "post": pgettext_lazy("audit object", "Concurrent posts"),
    "registration": pgettext_lazy("audit object", "Event registrations"),
    "role": pgettext_lazy("audit object", "Roles"),
    "rule": pgettext_lazy("audit object", "Rules"),
    "ruleset": pgettext_lazy("audit object", "Rule sets"),
    "seat": pgettext_lazy("audit object", "Body members"),
    "service": pgettext_lazy("audit object", "Volunteer service"),
    "slate": pgettext_lazy("audit object", "Slates of candidates"),
    "survey": pgettext_lazy("audit object", "Surveys"),
    "surveys": pgettext_lazy("audit object", "Surveys (demo data)"),
    "team_member": pgettext_lazy("audit object", "Volunteer team members"),
    "term": pgettext_lazy("audit object", "Terms"),
    "user": pgettext_lazy("audit object", "Users"),
    "voice": pgettext_lazy("audit object", "Suggestions and requests"),
    "volunteering": pgettext_lazy("audit object", "Volunteer service (demo data)"),
    "review": pgettext_lazy("audit object", "Expert review"),
}

# Keys recorded in events' old/new values. A key that is a field of the event's model (a
# `snapshot`) may instead take that field's verbose name.
FIELD_LABELS = {
    "applicant": pgettext_lazy("audit field", "applying organization"),
    "call": pgettext_lazy("audit field", "call"),
    "deadline": pgettext_lazy("audit field", "deadline"),
    "min_amount": pgettext_lazy("audit field", "lowest amount per project"),
    "max_amount": pgettext_lazy("audit field", "highest amount per project"),
    "budget": pgettext_lazy("audit field", "total budget"),
    "quota_per_recommender": pgettext_lazy("audit field", "quota per recommending organization"),
    "announcement_days": pgettext_lazy("audit field", "days of public announcement"),
    "period_months": pgettext_lazy("audit field", "project period (months)"),
    "deliverable": pgettext_lazy("audit field", "deliverable"),
    "attachment": pgettext_lazy("audit field", "attachment"),
    "field": pgettext_lazy("audit field", "form field"),
    "file": pgettext_lazy("audit field", "file"),
    "objection": pgettext_lazy("audit field", "objection"),
    "paid_on": pgettext_lazy("audit field", "paid on"),
    "recommender": pgettext_lazy("audit field", "recommending organization"),
    "tranche": pgettext_lazy("audit field", "tranche"),
    "tranches": pgettext_lazy("audit field", "tranches"),
    "upheld": pgettext_lazy("audit field", "upheld"),
    "voucher": pgettext_lazy("audit field", "voucher number"),
    "batch": pgettext_lazy("audit field", "import batch"),
    "privacy_notice": pgettext_lazy("audit field", "privacy notice version"),
    "request": pgettext_lazy("audit field", "request"),
    "retry_of": pgettext_lazy("audit field", "retry of batch"),
    "achievement": pgettext_lazy("audit field", "achievement"),
    "achievements": pgettext_lazy("audit field", "achievements"),
    "actual_end": pgettext_lazy("audit field", "actual end"),
    "address": pgettext_lazy("audit field", "address"),
    "allow_public": pgettext_lazy("audit field", "may be published"),
    "amount": pgettext_lazy("audit field", "amount"),
    "anonymous": pgettext_lazy("audit field", "anonymous"),
    "answer": pgettext_lazy("audit field", "answer"),
    "approved_by": pgettext_lazy("audit field", "approved by"),
    "approved_on": pgettext_lazy("audit field", "approved on"),
    "assignee": pgettext_lazy("audit field", "assigned to"),
    "at": pgettext_lazy("audit field", "at"),
    "bad": pgettext_lazy("audit field", "bad rows"),
    "bodies": pgettext_lazy("audit field", "leadership bodies"),
    "by_kind": pgettext_lazy("audit field", "by kind"),
    "by_staff": pgettext_lazy("audit field", "entered by staff"),
    "category": pgettext_lazy("audit field", "category"),
    "certificates_revoked": pgettext_lazy("audit field", "certificates revoked"),
    "channel": pgettext_lazy("audit field", "channel"),
    "class": pgettext_lazy("audit field", "member class"),
    "consent_at": pgettext_lazy("audit field", "consent given at"),
    "consent_source": pgettext_lazy("audit field", "source of consent"),
    "contact": pgettext_lazy("audit field", "contact"),
    "contact_duties": pgettext_lazy("audit field", "contact duties"),
    "contact_phone": pgettext_lazy("audit field", "contact phone"),
    "contact_visits": pgettext_lazy("audit field", "visits"),
    "count": pgettext_lazy("audit field", "count"),
    "created": pgettext_lazy("audit field", "created"),
    "date": pgettext_lazy("audit field", "date"),
    "demand": pgettext_lazy("audit field", "service request"),
    "disciplines": pgettext_lazy("audit field", "disciplines"),
    "display_name": pgettext_lazy("audit field", "display name"),
    "dry_run": pgettext_lazy("audit field", "check only"),
    "due_on": pgettext_lazy("audit field", "due on"),
    "duplicate": pgettext_lazy("audit field", "duplicate"),
    "duplicates": pgettext_lazy("audit field", "duplicates"),
    "end": pgettext_lazy("audit field", "end"),
    "ended_on": pgettext_lazy("audit field", "ended on"),
    "event": pgettext_lazy("audit field", "event"),
    "expires_at": pgettext_lazy("audit field", "expires at"),
    "fields": pgettext_lazy("audit field", "fields"),
    "file_name": pgettext_lazy("audit field", "file name"),
    "filing": pgettext_lazy("audit field", "filing"),
    "filings": pgettext_lazy("audit field", "filings"),
    "filled": pgettext_lazy("audit field", "filled"),
    "filters": pgettext_lazy("audit field", "filters"),
    "form": pgettext_lazy("audit field", "form"),
    "good": pgettext_lazy("audit field", "good rows"),
    "hours": pgettext_lazy("audit field", "hours"),
    "include_subtree": pgettext_lazy("audit field", "including the organizations below"),
    "institutions": pgettext_lazy("audit field", "host units"),
    "invited": pgettext_lazy("audit field", "invited"),
    "issues": pgettext_lazy("audit field", "issues"),
    "joined_on": pgettext_lazy("audit field", "joined on"),
    "key": pgettext_lazy("audit field", "key"),
    "kid": pgettext_lazy("audit field", "key id"),
    "kids": pgettext_lazy("audit field", "key ids"),
    "kind": pgettext_lazy("audit field", "kind"),
    "last_progress": pgettext_lazy("audit field", "last progress"),
    "leader": pgettext_lazy("audit field", "leader"),
    "left_on": pgettext_lazy("audit field", "left on"),
    "level": pgettext_lazy("audit field", "level"),
    "listed": pgettext_lazy("audit field", "listed"),
    "listings": pgettext_lazy("audit field", "listings"),
    "members": pgettext_lazy("audit field", "members"),
    "memberships": pgettext_lazy("audit field", "memberships"),
    "merge_record": pgettext_lazy("audit field", "merge record"),
    "method": pgettext_lazy("audit field", "method"),
    "mode": pgettext_lazy("audit field", "mode"),
    "name": pgettext_lazy("audit field", "name"),
    "note": pgettext_lazy("audit field", "note"),
    "number": pgettext_lazy("audit field", "member number"),
    "official": pgettext_lazy("audit field", "official"),
    "on_behalf": pgettext_lazy("audit field", "on behalf of"),
    "organization": pgettext_lazy("audit field", "organization"),
    "organization_name": pgettext_lazy("audit field", "organization name"),
    "organizations": pgettext_lazy("audit field", "organizations"),
    "overdue": pgettext_lazy("audit field", "overdue"),
    "parent": pgettext_lazy("audit field", "parent organization"),
    "payments": pgettext_lazy("audit field", "payments"),
    "people": pgettext_lazy("audit field", "people"),
    "people_served": pgettext_lazy("audit field", "people served"),
    "period": pgettext_lazy("audit field", "period"),
    "person": pgettext_lazy("audit field", "person"),
    "person_a": pgettext_lazy("audit field", "first person"),
    "person_b": pgettext_lazy("audit field", "second person"),
    "planned_end": pgettext_lazy("audit field", "planned end"),
    "position": pgettext_lazy("audit field", "position"),
    "post": pgettext_lazy("audit field", "post"),
    "prefix": pgettext_lazy("audit field", "prefix"),
    "previous_ended": pgettext_lazy("audit field", "previous one ended"),
    "previous_user": pgettext_lazy("audit field", "previous user"),
    "proof": pgettext_lazy("audit field", "proof"),
    "province": pgettext_lazy("audit field", "province"),
    "public": pgettext_lazy("audit field", "public"),
    "questions": pgettext_lazy("audit field", "questions"),
    "rating": pgettext_lazy("audit field", "rating"),
    "reason": pgettext_lazy("audit field", "reason"),
    "receipt_no": pgettext_lazy("audit field", "receipt number"),
    "records": pgettext_lazy("audit field", "records"),
    "reference": pgettext_lazy("audit field", "reference"),
    "registrations_cancelled": pgettext_lazy("audit field", "registrations cancelled"),
    "reminded": pgettext_lazy("audit field", "reminded"),
    "response": pgettext_lazy("audit field", "answer sheet"),
    "review": pgettext_lazy("audit field", "to review"),
    "revoked_at": pgettext_lazy("audit field", "revoked at"),
    "role": pgettext_lazy("audit field", "role"),
    "rows": pgettext_lazy("audit field", "rows"),
    "rule": pgettext_lazy("audit field", "rule"),
    "rule_set_assignments": pgettext_lazy("audit field", "rule sets applied"),
    "ruleset": pgettext_lazy("audit field", "rule set"),
    "score": pgettext_lazy("audit field", "score"),
    "seats": pgettext_lazy("audit field", "seats"),
    "seed": pgettext_lazy("audit field", "random seed"),
    "serial": pgettext_lazy("audit field", "serial number"),
    "sha256": pgettext_lazy("audit field", "file fingerprint (SHA-256)"),
    "signer_name": pgettext_lazy("audit field", "signed by"),
    "signer_title": pgettext_lazy("audit field", "signer's post"),
    "since": pgettext_lazy("audit field", "since"),
    "societies": pgettext_lazy("audit field", "societies"),
    "source": pgettext_lazy("audit field", "source"),
    "start": pgettext_lazy("audit field", "start"),
    "status": pgettext_lazy("audit field", "status"),
    "step": pgettext_lazy("audit field", "step"),
    "subjects": pgettext_lazy("audit field", "organizations evaluated"),
    "taken_in_by": pgettext_lazy("audit field", "taken in by"),
    "target": pgettext_lazy("audit field", "target"),
    "team": pgettext_lazy("audit field", "team"),
    "template": pgettext_lazy("audit field", "template"),
    "terms": pgettext_lazy("audit field", "terms"),
    "text": pgettext_lazy("audit field", "text"),
    "title": pgettext_lazy("audit field", "title"),
    "format": pgettext_lazy("audit field", "file format"),
    "tokens_revoked": pgettext_lazy("audit field", "tokens revoked"),
    "unit": pgettext_lazy("audit field", "unit"),
    "unmasked": pgettext_lazy("audit field", "full identifiers"),
    "until": pgettext_lazy("audit field", "until"),
    "updated": pgettext_lazy("audit field", "updated"),
    "user": pgettext_lazy("audit field", "user"),
    "username": pgettext_lazy("audit field", "username"),
    "users": pgettext_lazy("audit field", "users"),
    "valid_until": pgettext_lazy("audit field", "valid until"),
    "version": pgettext_lazy("audit field", "version"),
    "waitlist_closed": pgettext_lazy("audit field", "waiting list closed"),
    "waitlist_position": pgettext_lazy("audit field", "place on the waiting list"),
    "worker": pgettext_lazy("audit field", "S&T worker"),
    "working_days": pgettext_lazy("audit field", "working days"),
    "year": pgettext_lazy("audit field", "year"),
    # The demo seeds' summaries.
    "answers": pgettext_lazy("audit field", "answers"),
    "applications": pgettext_lazy("audit field", "applications"),
    "calls": pgettext_lazy("audit field", "calls for projects"),
    "projects": pgettext_lazy("audit field", "projects"),
    "certificates of attendance": pgettext_lazy("audit field", "certificates of attendance"),
    "check-ins": pgettext_lazy("audit field", "check-ins"),
    "demands": pgettext_lazy("audit field", "service requests"),
    "escalated": pgettext_lazy("audit field", "escalated"),
    "events": pgettext_lazy("audit field", "events"),
    "invitations": pgettext_lazy("audit field", "invitations"),
    "items": pgettext_lazy("audit field", "items"),
    "open": pgettext_lazy("audit field", "open"),
    "organization_id": pgettext_lazy("audit field", "organization"),
    "public answers": pgettext_lazy("audit field", "public answers"),
    "registrations": pgettext_lazy("audit field", "registrations"),
    "responses": pgettext_lazy("audit field", "answer sheets"),
    "services": pgettext_lazy("audit field", "services"),
    "surveys": pgettext_lazy("audit field", "surveys"),
    "teams with members": pgettext_lazy("audit field", "teams with members"),
    "waitlisted": pgettext_lazy("audit field", "waitlisted"),
    "worker's items": pgettext_lazy("audit field", "the demo worker's items"),
    "blind": pgettext_lazy("audit field", "blind review"),
    "candidates": pgettext_lazy("audit field", "candidate pairs"),
    "candidates_per_item": pgettext_lazy("audit field", "candidate reviewers per item"),
    "widened": pgettext_lazy("audit field", "candidates widened"),
    "conflicts": pgettext_lazy("audit field", "conflicted pairs"),
    "item": pgettext_lazy("audit field", "item reviewed"),
    "max_load": pgettext_lazy("audit field", "maximum load"),
    "min_load": pgettext_lazy("audit field", "minimum load"),
    "missing": pgettext_lazy("audit field", "score sheets not submitted"),
    "other": pgettext_lazy("audit field", "other person"),
    "pairs": pgettext_lazy("audit field", "pairs assigned"),
    "per_item": pgettext_lazy("audit field", "reviewers per item"),
    "ref": pgettext_lazy("audit field", "reference"),
    "reviewers": pgettext_lazy("audit field", "reviewers"),
    "round": pgettext_lazy("audit field", "review round"),
    "scores": pgettext_lazy("audit field", "scores"),
    "subject": pgettext_lazy("audit field", "subject reviewed"),
    "submitted": pgettext_lazy("audit field", "submitted"),
    "total": pgettext_lazy("audit field", "total"),
    "willing_to_review": pgettext_lazy("audit field", "willing to review"),
}

# Demo logins' roles beyond the role kinds (organization.demo_seeded records them).
DEMO_ROLES = {
    "platform": pgettext_lazy("audit value", "Platform administrator"),
    "worker": pgettext_lazy("audit value", "S&T worker"),
    "reviewer": pgettext_lazy("audit value", "Expert reviewer"),
}


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def action_choices() -> list[tuple[str, Any]]:
    """The filter's choices: one group per kind of object (the first part of the codes), opening
    with the whole kind, then its actions."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for code, label in ACTION_LABELS.items():
        groups.setdefault(code.split(".")[0], []).append((code, str(label)))
    choices: list[tuple[str, Any]] = [("", _("All actions"))]
    for kind, items in sorted(groups.items(), key=lambda kv: str(KIND_LABELS.get(kv[0], kv[0]))):
        label = str(KIND_LABELS.get(kind, kind))
        choices.append((label, [(kind, _("All: %(kind)s") % {"kind": label}), *items]))
    return choices


def _model_field(object_type: str, key: str):
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return None
    try:
        return model._meta.get_field(key)
    except FieldDoesNotExist:
        return None


def field_label(key: str, object_type: str = "") -> str:
    if key in FIELD_LABELS:
        return str(FIELD_LABELS[key])
    field = _model_field(object_type, key)
    if field is not None and getattr(field, "verbose_name", None):
        return str(field.verbose_name)
    return key


def _choice_label(field, value) -> str | None:
    choices = dict(getattr(field, "flatchoices", None) or [])
    return str(choices[value]) if value in choices else None


def _role_or_kind(key: str, value: str) -> str | None:
    """Codes recorded outside a model field (seed summaries, role grants): organization kinds and
    role kinds, read from the models' fields through the app registry (core imports no app)."""
    if key == "role" and value in DEMO_ROLES:
        return str(DEMO_ROLES[value])
    role_kinds = dict(apps.get_model("accounts", "Role")._meta.get_field("kind").flatchoices)
    org_kinds = dict(apps.get_model("organizations", "Organization")._meta.get_field("kind").flatchoices)
    for choices in (role_kinds,) if key == "role" else (org_kinds, role_kinds):
        if value in choices:
            return str(choices[value])
    return None


def format_value(value: Any, key: str = "", object_type: str = "") -> str:
    """A recorded value in words: 是/否 for booleans, — for nothing, choice labels for codes,
    lists joined with 、, nested records as 标签：值."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dict):
        if key == "by_kind":
            return "；".join(f"{_role_or_kind('kind', k) or k}：{format_value(v)}" for k, v in value.items())
        # A login of the demo seed: its title is a post (职务), not a heading.
        labels = {"title": pgettext_lazy("post", "title")} if key == "users" else {}
        return "；".join(f"{labels.get(k) or field_label(k, object_type)}：{format_value(v, k, object_type)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "、".join(format_value(v, key, object_type) for v in value)
    if isinstance(value, str):
        field = _model_field(object_type, key)
        label = _choice_label(field, value) if field is not None else None
        if label is None and key in ("kind", "role"):
            label = _role_or_kind(key, value)
        return label or value
    return str(value)


def event_changes(event) -> list[tuple[str, str | None, str]]:
    """(field label, old value or None when nothing was recorded before, new value) for every key
    an event recorded, old first."""
    old, new = event.old or {}, event.new or {}
    keys: Iterable[str] = list(old) + [k for k in new if k not in old]
    return [
        (
            field_label(key, event.object_type),
            format_value(old[key], key, event.object_type) if key in old else None,
            format_value(new.get(key), key, event.object_type),
        )
        for key in keys
    ]
