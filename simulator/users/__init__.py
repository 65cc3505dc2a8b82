"""The customer's users, their licenses and directory roles (E1-E14): users stored per customer, the
licenses they hold drawn from the seats the customer bought (read from the subscriptions area), and
the tenant's directory roles with their members."""
