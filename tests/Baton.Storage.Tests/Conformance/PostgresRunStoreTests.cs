using Baton.Storage.Postgres;
using Npgsql;

namespace Baton.Storage.Tests.Conformance;

/// <summary>The conformance suite on PostgreSQL, each test class in a schema of its own, dropped afterwards.</summary>
[RequiresPostgres]
public sealed class PostgresRunStoreTests : RunStoreConformance
{
    private readonly string _schema = "baton_test_" + Guid.NewGuid().ToString("N")[..12];

    protected override async Task<IRunStore> CreateStoreAsync() =>
        await PostgresRunStore.OpenAsync(new PostgresRunStoreOptions { ConnectionString = PostgresServer.ConnectionString, Schema = _schema, TimeProvider = Time });

    // Each test makes one store, so the schema is the test's own; a second store over it is another process.
    protected override async Task<IRunStore?> ReopenAsync(IRunStore store) => await CreateStoreAsync();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (PostgresServer.SkipReason is not null) return;
        await using var connection = new NpgsqlConnection(PostgresServer.ConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {_schema} CASCADE", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
