"""Serializers of the core's API: nations, SpOCs, the caller, notices, audit events, task runs."""

from __future__ import annotations

from rest_framework import serializers

from portal.api.base import MarkedModelSerializer
from portal.markings.marking import Level
from portal.models import AuditEvent, Nation, Notice, SpOC, TaskRun, User


class NationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Nation
        fields = ["code", "name"]


class SpOCSerializer(serializers.ModelSerializer):
    class Meta:
        model = SpOC
        fields = [
            "id",
            "code",
            "name",
            "nation",
            "staffed_24x7",
            "staffed_from",
            "staffed_until",
            "staffed_weekdays",
            "time_zone",
            "languages",
            "preferred_communication",
            "contact_email",
            "contact_phone",
        ]


class MeSerializer(serializers.ModelSerializer):
    clearance = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["username", "nationality", "clearance", "spoc", "role"]

    def get_clearance(self, user: User) -> str:
        return Level(user.clearance).banner


class NoticeSerializer(MarkedModelSerializer):
    author: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Notice
        fields = ["id", "title", "body", "spoc", "author", "created", "marking"]
        read_only_fields = ["spoc", "author", "created"]


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor_name",
            "action",
            "model",
            "object_id",
            "object_repr",
            "marking",
            "remote_addr",
            "path",
            "detail",
        ]


class TaskRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = TaskRun
        fields = ["run_id", "name", "status", "worker", "started", "finished", "counts", "error"]
