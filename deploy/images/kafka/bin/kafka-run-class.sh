#!/usr/bin/env bash
# kafka-run-class.sh CLASS ARGS... : a Kafka command-line class on the broker's jars.
exec java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
  --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED \
  -Dlog4j2.configurationFile=/etc/kafka/docker/tools-log4j2.xml -cp '/opt/kafka/libs/*' "$@"
