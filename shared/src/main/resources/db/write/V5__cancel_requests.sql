-- An admin's request to stop a running sale (POST /admin/promotions/{id}/cancel): the admin records it here, the
-- command side writes the one PromotionFinishEvent (reason cancelled) and moves status to finished. Read again at
-- every start, so a request made while the command side was down is not lost.
ALTER TABLE promotions ADD COLUMN cancel_requested_at DATETIME(6) NULL;
