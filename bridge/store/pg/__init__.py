"""The bridge's durable state in one PostgreSQL database shared by many replicas (issue 13): each
store here has the interface of its SQLite twin and keeps every SQL difference to itself;
bridge.store.factory chooses between them."""
