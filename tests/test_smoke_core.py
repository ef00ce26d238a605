from remarks.workflow import Status


def test_remark_in_reaches_every_state(remark_in):
    for status in [Status.SUBMITTED, Status.IN_REVIEW, Status.NEEDS_INFO, Status.ESCALATED, Status.RESOLVED,
                   Status.DECLINED, Status.DUPLICATE, Status.WITHDRAWN]:
        assert remark_in(status).status == status
