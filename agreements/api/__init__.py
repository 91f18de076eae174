"""The agreements app's API: serializers, viewsets and the routes it lists for the router."""
