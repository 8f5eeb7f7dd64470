using System.Text.RegularExpressions;
using Npgsql;
using NpgsqlTypes;

namespace Baton.Storage.Postgres;

/// <summary>
/// The shared durable store: runs, journals and questions to people in PostgreSQL, for many processes at once. A run is
/// advanced by one process at a time: its lease (owner, epoch, expiry by the database's clock) is checked inside the
/// transaction of every append, with the run's row locked, so a process that lost its run can never write to it.
/// </summary>
public sealed partial class PostgresRunStore : IRunStore, IAsyncDisposable
{
    /// <summary>The schema version this store creates and migrates to.</summary>
    public const int SchemaVersion = 2;

    private readonly NpgsqlDataSource _source;
    private readonly PostgresRunStoreOptions _options;
    private readonly string _s;

    private PostgresRunStore(PostgresRunStoreOptions options, NpgsqlDataSource source)
    {
        _options = options;
        _source = source;
        _s = Quote(options.Schema);
    }

    /// <inheritdoc/>
    public bool IsDurable => true;

    /// <summary>Connects, creating or migrating Baton's tables.</summary>
    /// <exception cref="StoreFormatException">The schema was written by a newer Baton.</exception>
    public static async Task<PostgresRunStore> OpenAsync(PostgresRunStoreOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BlobThreshold, 1024);
        var store = new PostgresRunStore(options, NpgsqlDataSource.Create(options.ConnectionString));
        try
        {
            await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]*$")]
    private static partial Regex SafeName();

    private static string Quote(string schema) =>
        SafeName().IsMatch(schema) ? schema : throw new ArgumentException($"schema name '{schema}' must be lower-case letters, digits and '_'", nameof(schema));

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // One process migrates at a time.
        await Execute(connection, transaction, "SELECT pg_advisory_xact_lock(727274)", cancellationToken).ConfigureAwait(false);
        await Execute(connection, transaction, $"CREATE SCHEMA IF NOT EXISTS {_s}; CREATE TABLE IF NOT EXISTS {_s}.meta (key text PRIMARY KEY, value integer NOT NULL)", cancellationToken).ConfigureAwait(false);
        await using (var version = new NpgsqlCommand($"SELECT value FROM {_s}.meta WHERE key = 'schema_version'", connection, transaction))
        {
            var current = await version.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is int v ? v : 0;
            if (current > SchemaVersion)
            {
                throw new StoreFormatException($"the PostgreSQL schema '{_options.Schema}' has version {current}; this Baton knows up to {SchemaVersion}: upgrade Baton to use it");
            }

            if (current == SchemaVersion)
            {
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
        }

        await Execute(connection, transaction, $"""
            CREATE TABLE IF NOT EXISTS {_s}.runs (
              run_id text PRIMARY KEY, workflow text NOT NULL, status integer NOT NULL, started_at timestamptz NOT NULL, updated_at timestamptz NOT NULL,
              parent_run_id text, source text, lease_owner text, lease_epoch bigint NOT NULL, lease_expires timestamptz,
              next_seq bigint NOT NULL, format integer NOT NULL, definition text);
            ALTER TABLE {_s}.runs ADD COLUMN IF NOT EXISTS definition text;
            CREATE INDEX IF NOT EXISTS runs_by_start ON {_s}.runs (started_at DESC, run_id DESC);
            CREATE INDEX IF NOT EXISTS runs_by_status ON {_s}.runs (status, updated_at);
            CREATE TABLE IF NOT EXISTS {_s}.journal (
              run_id text NOT NULL, seq bigint NOT NULL, kind integer NOT NULL, body bytea NOT NULL, blob_paths text, PRIMARY KEY (run_id, seq));
            CREATE TABLE IF NOT EXISTS {_s}.blobs (hash text PRIMARY KEY, data bytea NOT NULL);
            CREATE TABLE IF NOT EXISTS {_s}.blob_refs (run_id text NOT NULL, hash text NOT NULL, PRIMARY KEY (run_id, hash));
            CREATE INDEX IF NOT EXISTS blob_refs_by_hash ON {_s}.blob_refs (hash);
            CREATE TABLE IF NOT EXISTS {_s}.requests (
              id text PRIMARY KEY, run_id text NOT NULL, status integer NOT NULL, created_at timestamptz NOT NULL, body bytea NOT NULL);
            CREATE INDEX IF NOT EXISTS requests_by_run ON {_s}.requests (run_id, status);
            INSERT INTO {_s}.meta (key, value) VALUES ('schema_version', {SchemaVersion})
              ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;
            """, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The time leases and timestamps use: the configured clock, else the database's (<c>now()</c>).</summary>
    private NpgsqlParameter Now() => new("now", NpgsqlDbType.TimestampTz) { Value = _options.TimeProvider is { } time ? time.GetUtcNow().UtcDateTime : DBNull.Value };

    private const string NowSql = "COALESCE(@now, now())";

    /// <inheritdoc/>
    public ValueTask<RunLease> CreateRunAsync(RunRecord run, string owner, TimeSpan leaseDuration, CancellationToken cancellationToken = default) =>
        CreateRunAsync(run, owner, leaseDuration, [], cancellationToken);

    /// <inheritdoc/>
    public async ValueTask<RunLease> CreateRunAsync(RunRecord run, string owner, TimeSpan leaseDuration, IReadOnlyList<JournalEntry> initialEntries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentNullException.ThrowIfNull(initialEntries);
        var entries = initialEntries.Select(e => (e.Kind, Stored: StoreJson.Write(e, _options.BlobThreshold))).ToArray();
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // One transaction with the entries: the run is stored with all of them or not at all.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var insert = new NpgsqlCommand($"""
            INSERT INTO {_s}.runs (run_id, workflow, status, started_at, updated_at, parent_run_id, source, lease_owner, lease_epoch, lease_expires, next_seq, format, definition)
            VALUES (@id, @workflow, @status, @started, @updated, @parent, @source, @owner, 1, {NowSql} + @duration, @next, @format, @definition)
            ON CONFLICT (run_id) DO NOTHING
            RETURNING lease_expires
            """, connection, transaction);
        insert.Parameters.AddWithValue("id", run.RunId);
        insert.Parameters.AddWithValue("workflow", run.Workflow);
        insert.Parameters.AddWithValue("status", (int)run.Status);
        insert.Parameters.AddWithValue("started", run.StartedAt.UtcDateTime);
        insert.Parameters.AddWithValue("updated", (run.UpdatedAt == default ? run.StartedAt : run.UpdatedAt).UtcDateTime);
        insert.Parameters.AddWithValue("parent", (object?)run.ParentRunId ?? DBNull.Value);
        insert.Parameters.AddWithValue("source", (object?)run.Source ?? DBNull.Value);
        insert.Parameters.AddWithValue("owner", owner);
        insert.Parameters.AddWithValue("duration", leaseDuration);
        insert.Parameters.AddWithValue("next", (long)entries.Length + 1);
        insert.Parameters.AddWithValue("format", StoreJson.FormatVersion);
        insert.Parameters.Add(new NpgsqlParameter("definition", NpgsqlDbType.Text) { Value = (object?)run.Definition ?? DBNull.Value });
        insert.Parameters.Add(Now());
        var expires = await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as DateTime?
            ?? throw new InvalidOperationException($"run '{run.RunId}' already exists");
        for (var i = 0; i < entries.Length; i++)
        {
            await InsertEntryAsync(connection, transaction, run.RunId, i + 1, entries[i].Kind, entries[i].Stored, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new RunLease(run.RunId, owner, 1, new DateTimeOffset(DateTime.SpecifyKind(expires, DateTimeKind.Utc)));
    }

    /// <summary>Writes one journal row and the blobs it refers to, inside the caller's transaction.</summary>
    private async Task InsertEntryAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string runId, long sequence, JournalEntryKind kind, StoredEntry stored, CancellationToken cancellationToken)
    {
        foreach (var (hash, data) in stored.Blobs)
        {
            await using var blob = new NpgsqlCommand($"""
                INSERT INTO {_s}.blobs (hash, data) VALUES (@hash, @data) ON CONFLICT DO NOTHING;
                INSERT INTO {_s}.blob_refs (run_id, hash) VALUES (@id, @hash) ON CONFLICT DO NOTHING
                """, connection, transaction);
            blob.Parameters.AddWithValue("hash", hash);
            blob.Parameters.AddWithValue("data", data);
            blob.Parameters.AddWithValue("id", runId);
            await blob.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using var insert = new NpgsqlCommand($"INSERT INTO {_s}.journal (run_id, seq, kind, body, blob_paths) VALUES (@id, @seq, @kind, @body, @paths)", connection, transaction);
        insert.Parameters.AddWithValue("id", runId);
        insert.Parameters.AddWithValue("seq", sequence);
        insert.Parameters.AddWithValue("kind", (int)kind);
        insert.Parameters.AddWithValue("body", stored.Body);
        insert.Parameters.AddWithValue("paths", (object?)stored.BlobPaths ?? DBNull.Value);
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public ValueTask<RunLease?> StealLeaseAsync(string runId, string deadOwner, string owner, TimeSpan leaseDuration, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(deadOwner);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        // Only the exact dead holder's lease is taken, expired or not.
        return TakeLeaseAsync(runId, owner, leaseDuration, "lease_owner = @dead", deadOwner, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<RunLease?> TryAcquireLeaseAsync(string runId, string owner, TimeSpan leaseDuration, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        return TakeLeaseAsync(runId, owner, leaseDuration, $"(lease_owner IS NULL OR lease_owner = @owner OR lease_expires <= {NowSql})", dead: null, cancellationToken);
    }

    /// <summary>
    /// Takes a run's lease when <paramref name="when"/> holds, in one statement (the row lock makes racing takers
    /// queue, and only one finds the lease free); null when it does not hold.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No such run.</exception>
    private async ValueTask<RunLease?> TakeLeaseAsync(string runId, string owner, TimeSpan leaseDuration, string when, string? dead, CancellationToken cancellationToken)
    {
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var take = new NpgsqlCommand($"""
            UPDATE {_s}.runs SET lease_owner = @owner, lease_epoch = lease_epoch + 1, lease_expires = {NowSql} + @duration
            WHERE run_id = @id AND {when}
            RETURNING lease_epoch, lease_expires
            """, connection);
        take.Parameters.AddWithValue("owner", owner);
        if (dead is not null) take.Parameters.AddWithValue("dead", dead);
        take.Parameters.AddWithValue("duration", leaseDuration);
        take.Parameters.AddWithValue("id", runId);
        take.Parameters.Add(Now());
        await using var reader = await take.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return new RunLease(runId, owner, reader.GetInt64(0), new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(1), DateTimeKind.Utc)));
        }

        await reader.CloseAsync().ConfigureAwait(false);
        await using var exists = new NpgsqlCommand($"SELECT 1 FROM {_s}.runs WHERE run_id = @id", connection);
        exists.Parameters.AddWithValue("id", runId);
        return await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null ? throw new KeyNotFoundException($"no run '{runId}' in the store") : null;
    }

    /// <inheritdoc/>
    public async ValueTask<bool> RenewLeaseAsync(RunLease lease, TimeSpan leaseDuration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var renew = new NpgsqlCommand($"UPDATE {_s}.runs SET lease_owner = @owner, lease_expires = {NowSql} + @duration WHERE run_id = @id AND lease_epoch = @epoch", connection);
        renew.Parameters.AddWithValue("owner", lease.Owner);
        renew.Parameters.AddWithValue("duration", leaseDuration);
        renew.Parameters.AddWithValue("id", lease.RunId);
        renew.Parameters.AddWithValue("epoch", lease.Epoch);
        renew.Parameters.Add(Now());
        return await renew.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc/>
    public async ValueTask ReleaseLeaseAsync(RunLease lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var release = new NpgsqlCommand($"UPDATE {_s}.runs SET lease_owner = NULL, lease_expires = NULL WHERE run_id = @id AND lease_epoch = @epoch", connection);
        release.Parameters.AddWithValue("id", lease.RunId);
        release.Parameters.AddWithValue("epoch", lease.Epoch);
        await release.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<JournalEntry> AppendAsync(RunLease lease, JournalEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(entry);
        var stored = StoreJson.Write(entry, _options.BlobThreshold);
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var sequence = await LockAsync(connection, transaction, lease, cancellationToken).ConfigureAwait(false);
        await InsertEntryAsync(connection, transaction, lease.RunId, sequence, entry.Kind, stored, cancellationToken).ConfigureAwait(false);
        await using var next = new NpgsqlCommand($"UPDATE {_s}.runs SET next_seq = @seq + 1 WHERE run_id = @id", connection, transaction);
        next.Parameters.AddWithValue("id", lease.RunId);
        next.Parameters.AddWithValue("seq", sequence);
        await next.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return entry with { Sequence = sequence };
    }

    /// <summary>Locks the run's row, checks the lease against it, and returns the run's next sequence number.</summary>
    private async Task<long> LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, RunLease lease, CancellationToken cancellationToken)
    {
        await using var read = new NpgsqlCommand($"SELECT lease_epoch, next_seq FROM {_s}.runs WHERE run_id = @id FOR UPDATE", connection, transaction);
        read.Parameters.AddWithValue("id", lease.RunId);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) throw new KeyNotFoundException($"no run '{lease.RunId}' in the store");
        if (reader.GetInt64(0) != lease.Epoch) throw new RunLeaseLostException(lease);
        return reader.GetInt64(1);
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<JournalEntry>> ReadJournalAsync(string runId, long afterSequence = 0, CancellationToken cancellationToken = default)
    {
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // The run's last sequence is read before its rows: rows appended meanwhile only add to what is read, never a false gap.
        long nextSequence;
        await using (var format = new NpgsqlCommand($"SELECT format, next_seq FROM {_s}.runs WHERE run_id = @id", connection))
        {
            format.Parameters.AddWithValue("id", runId);
            await using var run = await format.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await run.ReadAsync(cancellationToken).ConfigureAwait(false)) throw new KeyNotFoundException($"no run '{runId}' in the store");
            StoreJson.CheckFormat(run.GetInt32(0), $"run '{runId}'");
            nextSequence = run.GetInt64(1);
        }

        var rows = new List<(long Sequence, byte[] Body, string? Paths)>();
        await using (var read = new NpgsqlCommand($"SELECT seq, body, blob_paths FROM {_s}.journal WHERE run_id = @id AND seq > @after ORDER BY seq", connection))
        {
            read.Parameters.AddWithValue("id", runId);
            read.Parameters.AddWithValue("after", afterSequence);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add((reader.GetInt64(0), (byte[])reader.GetValue(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
            }
        }

        var entries = new List<JournalEntry>(rows.Count);
        foreach (var (sequence, body, paths) in rows)
        {
            var entry = StoreJson.Read(body, paths, hash =>
            {
                using var blob = new NpgsqlCommand($"SELECT data FROM {_s}.blobs WHERE hash = @hash", connection);
                blob.Parameters.AddWithValue("hash", hash);
                return blob.ExecuteScalar() as byte[];
            }, $"journal entry {sequence} of run '{runId}'");
            entries.Add(entry with { Sequence = sequence });
        }

        JournalIntegrity.CheckNoGap(runId, afterSequence, entries, nextSequence - 1);
        return entries;
    }

    /// <inheritdoc/>
    public async ValueTask<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var read = new NpgsqlCommand($"SELECT {RunColumns} FROM {_s}.runs WHERE run_id = @id", connection);
        read.Parameters.AddWithValue("id", runId);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadRun(reader) : null;
    }

    /// <inheritdoc/>
    public async ValueTask SetStatusAsync(RunLease lease, RunStatus status, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await LockAsync(connection, transaction, lease, cancellationToken).ConfigureAwait(false);
        await using var update = new NpgsqlCommand($"UPDATE {_s}.runs SET status = @status, updated_at = {NowSql} WHERE run_id = @id", connection, transaction);
        update.Parameters.AddWithValue("status", (int)status);
        update.Parameters.AddWithValue("id", lease.RunId);
        update.Parameters.Add(Now());
        await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new RunQuery();
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var read = new NpgsqlCommand($"""
            SELECT {RunColumns} FROM {_s}.runs
            WHERE (@status::integer IS NULL OR status = @status) AND (@workflow::text IS NULL OR workflow = @workflow)
              AND (@parent::text IS NULL OR parent_run_id = @parent)
              AND (@after::timestamptz IS NULL OR started_at >= @after) AND (@before::timestamptz IS NULL OR started_at < @before)
            ORDER BY started_at DESC, run_id DESC
            LIMIT @limit
            """, connection);
        read.Parameters.Add(new NpgsqlParameter("status", NpgsqlDbType.Integer) { Value = query.Status is { } s ? (int)s : DBNull.Value });
        read.Parameters.Add(new NpgsqlParameter("workflow", NpgsqlDbType.Text) { Value = (object?)query.Workflow ?? DBNull.Value });
        read.Parameters.Add(new NpgsqlParameter("parent", NpgsqlDbType.Text) { Value = (object?)query.ParentRunId ?? DBNull.Value });
        read.Parameters.Add(new NpgsqlParameter("after", NpgsqlDbType.TimestampTz) { Value = query.StartedAfter is { } a ? a.UtcDateTime : DBNull.Value });
        read.Parameters.Add(new NpgsqlParameter("before", NpgsqlDbType.TimestampTz) { Value = query.StartedBefore is { } b ? b.UtcDateTime : DBNull.Value });
        read.Parameters.Add(new NpgsqlParameter("limit", NpgsqlDbType.Integer) { Value = query.Limit is { } l ? Math.Max(0, l) : DBNull.Value });
        await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var runs = new List<RunRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) runs.Add(ReadRun(reader));
        return runs;
    }

    /// <inheritdoc/>
    public async ValueTask<HumanRequest> SaveHumanRequestAsync(HumanRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var insert = new NpgsqlCommand($"""
            INSERT INTO {_s}.requests (id, run_id, status, created_at, body) VALUES (@id, @run, @status, @created, @body) ON CONFLICT (id) DO NOTHING;
            SELECT body FROM {_s}.requests WHERE id = @id
            """, connection);
        insert.Parameters.AddWithValue("id", request.Id);
        insert.Parameters.AddWithValue("run", request.RunId);
        insert.Parameters.AddWithValue("status", (int)request.Status);
        insert.Parameters.AddWithValue("created", request.CreatedAt.UtcDateTime);
        insert.Parameters.AddWithValue("body", StoreJson.Write(request));
        return StoreJson.ReadRequest((byte[])(await insert.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!, $"request '{request.Id}'");
    }

    /// <inheritdoc/>
    public async ValueTask<HumanRequest?> GetHumanRequestAsync(string requestId, CancellationToken cancellationToken = default)
    {
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var read = new NpgsqlCommand($"SELECT body FROM {_s}.requests WHERE id = @id", connection);
        read.Parameters.AddWithValue("id", requestId);
        return await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is byte[] body ? StoreJson.ReadRequest(body, $"request '{requestId}'") : null;
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<HumanRequest>> ListHumanRequestsAsync(string? runId = null, bool openOnly = true, CancellationToken cancellationToken = default)
    {
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var read = new NpgsqlCommand($"""
            SELECT id, body FROM {_s}.requests WHERE (@run::text IS NULL OR run_id = @run) AND (NOT @open OR status = @openStatus) ORDER BY created_at, id
            """, connection);
        read.Parameters.Add(new NpgsqlParameter("run", NpgsqlDbType.Text) { Value = (object?)runId ?? DBNull.Value });
        read.Parameters.AddWithValue("open", openOnly);
        read.Parameters.AddWithValue("openStatus", (int)HumanRequestStatus.Open);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var requests = new List<HumanRequest>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) requests.Add(StoreJson.ReadRequest((byte[])reader.GetValue(1), $"request '{reader.GetString(0)}'"));
        return requests;
    }

    /// <inheritdoc/>
    public async ValueTask<bool> CloseHumanRequestAsync(string requestId, HumanRequestStatus status, string? answer, DateTimeOffset closedAt, CancellationToken cancellationToken = default)
    {
        if (status == HumanRequestStatus.Open) throw new ArgumentOutOfRangeException(nameof(status), "a request is closed with a final status");
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var read = new NpgsqlCommand($"SELECT body FROM {_s}.requests WHERE id = @id AND status = @open FOR UPDATE", connection, transaction);
        read.Parameters.AddWithValue("id", requestId);
        read.Parameters.AddWithValue("open", (int)HumanRequestStatus.Open);
        if (await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not byte[] body) return false;
        var closed = StoreJson.ReadRequest(body, $"request '{requestId}'") with { Status = status, Answer = status == HumanRequestStatus.Answered ? answer : null, ClosedAt = closedAt };
        await using var update = new NpgsqlCommand($"UPDATE {_s}.requests SET status = @status, body = @body WHERE id = @id AND status = @open", connection, transaction);
        update.Parameters.AddWithValue("status", (int)status);
        update.Parameters.AddWithValue("body", StoreJson.Write(closed));
        update.Parameters.AddWithValue("id", requestId);
        update.Parameters.AddWithValue("open", (int)HumanRequestStatus.Open);
        var changed = await update.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return changed;
    }

    /// <inheritdoc/>
    public async ValueTask<int> DeleteFinishedRunsAsync(DateTimeOffset finishedBefore, CancellationToken cancellationToken = default)
    {
        await using var connection = await _source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        const string Finished = "status IN (2, 3, 4) AND updated_at < @before";
        await using var delete = new NpgsqlCommand($"""
            DELETE FROM {_s}.journal WHERE run_id IN (SELECT run_id FROM {_s}.runs WHERE {Finished});
            DELETE FROM {_s}.requests WHERE run_id IN (SELECT run_id FROM {_s}.runs WHERE {Finished});
            DELETE FROM {_s}.blob_refs WHERE run_id IN (SELECT run_id FROM {_s}.runs WHERE {Finished});
            """, connection, transaction);
        delete.Parameters.AddWithValue("before", finishedBefore.UtcDateTime);
        await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await using var runs = new NpgsqlCommand($"DELETE FROM {_s}.runs WHERE {Finished}", connection, transaction);
        runs.Parameters.AddWithValue("before", finishedBefore.UtcDateTime);
        var deleted = await runs.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        await Execute(connection, transaction, $"DELETE FROM {_s}.blobs b WHERE NOT EXISTS (SELECT 1 FROM {_s}.blob_refs r WHERE r.hash = b.hash)", cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return deleted;
    }

    /// <summary>Closes the connection pool.</summary>
    public ValueTask DisposeAsync() => _source.DisposeAsync();

    private const string RunColumns = "run_id, workflow, status, started_at, updated_at, parent_run_id, source, lease_owner, lease_expires, format, definition";

    private static RunRecord ReadRun(NpgsqlDataReader reader)
    {
        var runId = reader.IsDBNull(0) ? "?" : reader.GetString(0);
        var where = $"run '{runId}'";
        StoreJson.CheckFormat(Damaged(where, () => reader.GetInt32(9)), where);
        static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));
        return Damaged(where, () => new RunRecord
        {
            RunId = reader.GetString(0),
            Workflow = reader.GetString(1),
            Status = reader.GetInt32(2) is var status && Enum.IsDefined((RunStatus)status) ? (RunStatus)status : throw new FormatException($"its status {status} is not a run status"),
            StartedAt = Utc(reader.GetDateTime(3)),
            UpdatedAt = Utc(reader.GetDateTime(4)),
            ParentRunId = reader.IsDBNull(5) ? null : reader.GetString(5),
            Source = reader.IsDBNull(6) ? null : reader.GetString(6),
            LeaseOwner = reader.IsDBNull(7) ? null : reader.GetString(7),
            LeaseExpiresAt = reader.IsDBNull(8) ? null : Utc(reader.GetDateTime(8)),
            Definition = reader.IsDBNull(10) ? null : reader.GetString(10),
        });
    }

    /// <summary>Reads a row's columns; a value out of range or of the wrong type (a damaged or hand-edited row) is a named error, not a cast exception.</summary>
    private static T Damaged<T>(string where, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is InvalidCastException or FormatException or OverflowException or ArgumentException or InvalidOperationException)
        {
            throw new StoreFormatException($"{where} is damaged and cannot be read: {ex.Message}", ex);
        }
    }

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
