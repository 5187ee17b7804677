"""The data bindings our widget URL carries (appended to the connection's desk URL in the plugin's widget
settings). Crisp fills them from its Data Access namespaces; no Django here, so the simulator can use it."""

WIDGET_BINDINGS = (
    "email={conversation.meta.email}&nickname={conversation.meta.nickname}&people_id={conversation.people_id}"
    "&operator={operator.email}&operator_id={operator.user_id}"
)
