#!/usr/bin/env bash
# First start of the compose PostgreSQL: one role and one database per service, each owned by its
# role, with the password from the service's <SVC>_DB_PASSWORD. Run once by the image's entrypoint
# from /docker-entrypoint-initdb.d, as the official image does.
set -euo pipefail
for service in identity billing proxy render notification; do
  var="${service^^}_DB_PASSWORD"
  password="${!var:?$var is not set}"
  psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
    -v role="$service" -v password="$password" <<'SQL'
create role :"role" login password :'password';
create database :"role" owner :"role";
SQL
done
