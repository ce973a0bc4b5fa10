"""Join spend to contracts on contract_id with DuckDB, as a team outside spendql would.

Usage: python contract_join.py SPEND_FILES_JSON CONTRACT_FILES_JSON
Each argument is a JSON list of Parquet file paths. Prints one JSON object:
  contracts, distinct_ids: rows of contracts and distinct contract_id values;
  linked: spend rows with a contract_id;
  joined: rows of spend JOIN contracts USING (contract_id);
  not_one: linked payments matching other than exactly one contract;
  repeated_reference: linked payments whose contract's reference the register repeats.
"""

import json
import sys

import duckdb

spend_files, contract_files = json.loads(sys.argv[1]), json.loads(sys.argv[2])
con = duckdb.connect()
# The file lists come from the manifest; folder names are not read as columns.
con.read_parquet(spend_files, hive_partitioning=False).create_view("spend")
con.read_parquet(contract_files, hive_partitioning=False).create_view("contracts")


def one(sql):
    return con.execute(sql).fetchone()[0]


print(
    json.dumps(
        {
            "contracts": one("SELECT count(*) FROM contracts"),
            "distinct_ids": one("SELECT count(DISTINCT contract_id) FROM contracts"),
            "linked": one("SELECT count(*) FROM spend WHERE contract_id IS NOT NULL"),
            "joined": one("SELECT count(*) FROM spend s JOIN contracts c ON c.contract_id = s.contract_id"),
            "not_one": one(
                """SELECT count(*) FROM (
                     SELECT s.source_file, s.source_row, count(c.contract_id) AS n
                     FROM spend s LEFT JOIN contracts c ON c.contract_id = s.contract_id
                     WHERE s.contract_id IS NOT NULL
                     GROUP BY s.council, s.source_file, s.source_row) WHERE n <> 1"""
            ),
            "repeated_reference": one(
                """SELECT count(*) FROM spend s JOIN contracts c ON c.contract_id = s.contract_id
                   WHERE c.reference IN (SELECT reference FROM contracts
                                         GROUP BY council, reference HAVING count(*) > 1)"""
            ),
        }
    )
)
