"""Partition definitions, partition mappings and the ``--partitions`` spec parser.

Nothing here runs assets: these are values the registry and engine consult.
"""

from __future__ import annotations

from nbassets.partitions.backfill import BackfillPolicy, BackfillPolicyType
from nbassets.partitions.default_mapping import default_partition_mapping
from nbassets.partitions.definitions import PartitionsDefinition, StaticPartitionsDefinition
from nbassets.partitions.dynamic import (
    DynamicPartitionsDefinition,
    DynamicPartitionsStore,
    InMemoryDynamicPartitionsStore,
)
from nbassets.partitions.keys import PartitionKeyRange, TimeWindow
from nbassets.partitions.mappings import (
    AllPartitionMapping,
    IdentityPartitionMapping,
    LastPartitionMapping,
    PartitionMapping,
    SpecificPartitionsPartitionMapping,
    StaticPartitionMapping,
)
from nbassets.partitions.multi import (
    MultiPartitionKey,
    MultiPartitionsDefinition,
    PartitionDimensionDefinition,
)
from nbassets.partitions.multi_mapping import MultiToSingleDimensionPartitionMapping
from nbassets.partitions.multi_to_multi import DimensionPartitionMapping, MultiPartitionMapping
from nbassets.partitions.schedules import ScheduleType
from nbassets.partitions.spec import parse_partitions_spec
from nbassets.partitions.time_mapping import TimeWindowPartitionMapping
from nbassets.partitions.time_window import TimeWindowPartitionsDefinition
from nbassets.partitions.time_window_kinds import (
    DailyPartitionsDefinition,
    HourlyPartitionsDefinition,
    MonthlyPartitionsDefinition,
    WeeklyPartitionsDefinition,
)

__all__ = [
    "AllPartitionMapping",
    "BackfillPolicy",
    "BackfillPolicyType",
    "DailyPartitionsDefinition",
    "DimensionPartitionMapping",
    "DynamicPartitionsDefinition",
    "DynamicPartitionsStore",
    "HourlyPartitionsDefinition",
    "IdentityPartitionMapping",
    "InMemoryDynamicPartitionsStore",
    "LastPartitionMapping",
    "MonthlyPartitionsDefinition",
    "MultiPartitionKey",
    "MultiPartitionMapping",
    "MultiPartitionsDefinition",
    "MultiToSingleDimensionPartitionMapping",
    "PartitionDimensionDefinition",
    "PartitionKeyRange",
    "PartitionMapping",
    "PartitionsDefinition",
    "ScheduleType",
    "SpecificPartitionsPartitionMapping",
    "StaticPartitionMapping",
    "StaticPartitionsDefinition",
    "TimeWindow",
    "TimeWindowPartitionMapping",
    "TimeWindowPartitionsDefinition",
    "WeeklyPartitionsDefinition",
    "default_partition_mapping",
    "parse_partitions_spec",
]
