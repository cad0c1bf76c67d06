from app.extensions import db
from app.models import NotificationPreference, User


def set_notification_preference(user: User, value: str) -> None:
    user.notification_preference = NotificationPreference(value)
    db.session.commit()
