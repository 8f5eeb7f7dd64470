using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Baton.Storage.Sqlite;

/// <summary>
/// The embedded durable store: one SQLite file (default <c>.baton/baton.db</c>) in write-ahead-log mode. Every write
/// goes through one writer that commits whatever is queued in a single transaction (group commit), so throughput holds
/// up when many steps finish at once; each step's completion is one row, atomic with its run's sequence number and
/// fenced by the run's lease. Large payloads go to a content-addressed blob table. Several processes may share a file.
/// </summary>
public sealed partial class SqliteRunStore : IRunStore, IAsyncDisposable, IDisposable
{
    /// <summary>The schema version this store creates and migrates to.</summary>
    public const int SchemaVersion = 2;

    /// <summary>
    /// The SQLite <c>application_id</c> that marks a file as a Baton store ("Batn"): written when the schema is created,
    /// so a file of another application is told apart from one of Baton's.
    /// </summary>
    public const int ApplicationId = 0x4261746E;

    private readonly string _connectionString;
    private readonly SqliteRunStoreOptions _options;
    private readonly TimeProvider _time;
    private readonly Channel<Operation> _queue = Channel.CreateUnbounded<Operation>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SqliteConnection _writerConnection;
    private readonly Task _writer;
    private int _disposed;

    /// <summary>Opens (creating or migrating) the database.</summary>
    /// <exception cref="StoreFormatException">
    /// The file was written by a newer schema, is not a SQLite database, or is another application's database (Baton
    /// never adds its tables to one).
    /// </exception>
    public SqliteRunStore(SqliteRunStoreOptions? options = null)
    {
        _options = options ?? new SqliteRunStoreOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.BlobThreshold, 1024);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxBatch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.BusyTimeout, TimeSpan.Zero);
        _time = _options.TimeProvider ?? TimeProvider.System;
        var path = System.IO.Path.GetFullPath(_options.Path);
        if (System.IO.Path.GetDirectoryName(path) is { Length: > 0 } directory) Directory.CreateDirectory(directory);
        Path = path;
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = true, DefaultTimeout = (int)Math.Ceiling(_options.BusyTimeout.TotalSeconds) }.ToString();
        _writerConnection = SqliteStoreFile.Open(path, Open, _options.BusyTimeout);
        try
        {
            SqliteStoreFile.Migrate(_writerConnection, path, Migrate, _options.BusyTimeout);
            SqliteStoreFile.UseWriteAheadLog(_writerConnection, path, _options.BusyTimeout);
        }
        catch
        {
            _writerConnection.Dispose();
            SqliteConnection.ClearPool(_writerConnection);
            throw;
        }

        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>The database file's full path.</summary>
    public string Path { get; }

    /// <inheritdoc/>
    public bool IsDurable => true;

    /// <summary>Opens the default store under the current folder, <c>.baton/baton.db</c>.</summary>
    public static SqliteRunStore OpenDefault() => new();

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        // busy_timeout: another process's write waits instead of failing.
        // The write-ahead log is turned on after the file is known to be Baton's (SqliteStoreFile): turning it on writes the file's header.
        pragma.CommandText = $"PRAGMA synchronous={(_options.SurvivePowerLoss ? "FULL" : "NORMAL")}; PRAGMA busy_timeout={(long)_options.BusyTimeout.TotalMilliseconds}; PRAGMA foreign_keys=OFF;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    private static void Migrate(SqliteConnection connection, int current)
    {
        if (current > SchemaVersion)
        {
            throw new StoreFormatException($"the database '{connection.DataSource}' has schema version {current}; this Baton knows up to {SchemaVersion}: upgrade Baton to open it");
        }

        if (current == SchemaVersion) return;
        using var transaction = connection.BeginTransaction();
        using var create = connection.CreateCommand();
        create.Transaction = transaction;
        create.CommandText = """
            CREATE TABLE IF NOT EXISTS runs (
              run_id TEXT PRIMARY KEY, workflow TEXT NOT NULL, status INTEGER NOT NULL, started_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
              parent_run_id TEXT, source TEXT, lease_owner TEXT, lease_epoch INTEGER NOT NULL, lease_expires INTEGER,
              next_seq INTEGER NOT NULL, format INTEGER NOT NULL, definition TEXT);
            CREATE INDEX IF NOT EXISTS runs_by_start ON runs(started_at DESC, run_id DESC);
            CREATE INDEX IF NOT EXISTS runs_by_status ON runs(status, updated_at);
            CREATE TABLE IF NOT EXISTS journal (
              run_id TEXT NOT NULL, seq INTEGER NOT NULL, kind INTEGER NOT NULL, body BLOB NOT NULL, blob_paths TEXT,
              PRIMARY KEY (run_id, seq)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS blobs (hash TEXT PRIMARY KEY, data BLOB NOT NULL) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS blob_refs (run_id TEXT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (run_id, hash)) WITHOUT ROWID;
            CREATE INDEX IF NOT EXISTS blob_refs_by_hash ON blob_refs(hash);
            CREATE TABLE IF NOT EXISTS requests (
              id TEXT PRIMARY KEY, run_id TEXT NOT NULL, status INTEGER NOT NULL, created_at INTEGER NOT NULL, body BLOB NOT NULL);
            CREATE INDEX IF NOT EXISTS requests_by_run ON requests(run_id, status);
            """;
        create.ExecuteNonQuery();
        if (current == 1)
        {
            // A file that says version 1 but has version 2's column had its version changed (by hand, or damaged):
            // migrating it again would fail half-way, and what else changed is unknown, so it is refused by name.
            create.CommandText = "SELECT COUNT(*) FROM pragma_table_info('runs') WHERE name = 'definition'";
            if (Convert.ToInt64(create.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0)
            {
                throw new StoreFormatException($"the database '{connection.DataSource}' says schema version 1 but has the tables of version {SchemaVersion}: its version was changed, so Baton will not guess what it holds; restore it from a backup or set PRAGMA user_version = {SchemaVersion} if only the version was changed");
            }

            // Version 2 stores each run's workflow definition.
            create.CommandText = "ALTER TABLE runs ADD COLUMN definition TEXT";
            create.ExecuteNonQuery();
        }

        create.CommandText = $"PRAGMA user_version = {SchemaVersion}; PRAGMA application_id = {ApplicationId}";
        create.ExecuteNonQuery();
        transaction.Commit();
    }

    /// <inheritdoc/>
    public ValueTask<RunLease> CreateRunAsync(RunRecord run, string owner, TimeSpan leaseDuration, CancellationToken cancellationToken = default) =>
        CreateRunAsync(run, owner, leaseDuration, [], cancellationToken);

    /// <inheritdoc/>
    public ValueTask<RunLease> CreateRunAsync(RunRecord run, string owner, TimeSpan leaseDuration, IReadOnlyList<JournalEntry> initialEntries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        ArgumentNullException.ThrowIfNull(initialEntries);
        var expires = _time.GetUtcNow() + leaseDuration;
        // Serialized on the caller's thread, so the single writer only writes.
        var entries = initialEntries.Select(e => (e.Kind, Stored: StoreJson.Write(e, _options.BlobThreshold))).ToArray();
        return Enqueue(cancellationToken, (connection, transaction) =>
        {
            using var exists = Command(connection, transaction, "SELECT 1 FROM runs WHERE run_id = $id", ("$id", run.RunId));
            if (exists.ExecuteScalar() is not null) throw new InvalidOperationException($"run '{run.RunId}' already exists");
            // One transaction with the entries: the run is stored with all of them or not at all.
            using var insert = Command(connection, transaction, """
                INSERT INTO runs (run_id, workflow, status, started_at, updated_at, parent_run_id, source, lease_owner, lease_epoch, lease_expires, next_seq, format, definition)
                VALUES ($id, $workflow, $status, $started, $updated, $parent, $source, $owner, 1, $expires, $next, $format, $definition)
                """,
                ("$id", run.RunId), ("$workflow", run.Workflow), ("$status", (int)run.Status), ("$started", Ms(run.StartedAt)), ("$updated", Ms(run.UpdatedAt == default ? run.StartedAt : run.UpdatedAt)),
                ("$parent", run.ParentRunId), ("$source", run.Source), ("$owner", owner), ("$expires", Ms(expires)), ("$next", entries.Length + 1), ("$format", StoreJson.FormatVersion),
                ("$definition", run.Definition));
            insert.ExecuteNonQuery();
            for (var i = 0; i < entries.Length; i++) InsertEntry(connection, transaction, run.RunId, i + 1, entries[i].Kind, entries[i].Stored);
            return new RunLease(run.RunId, owner, 1, expires);
        });
    }

    /// <summary>Writes one journal row and the blobs it refers to, inside the caller's transaction.</summary>
    private static void InsertEntry(SqliteConnection connection, SqliteTransaction transaction, string runId, long sequence, JournalEntryKind kind, StoredEntry stored)
    {
        foreach (var (hash, data) in stored.Blobs)
        {
            using var blob = Command(connection, transaction, "INSERT OR IGNORE INTO blobs (hash, data) VALUES ($hash, $data)", ("$hash", hash), ("$data", data));
            blob.ExecuteNonQuery();
            using var reference = Command(connection, transaction, "INSERT OR IGNORE INTO blob_refs (run_id, hash) VALUES ($id, $hash)", ("$id", runId), ("$hash", hash));
            reference.ExecuteNonQuery();
        }

        using var insert = Command(connection, transaction, "INSERT INTO journal (run_id, seq, kind, body, blob_paths) VALUES ($id, $seq, $kind, $body, $paths)",
            ("$id", runId), ("$seq", sequence), ("$kind", (int)kind), ("$body", stored.Body), ("$paths", stored.BlobPaths));
        insert.ExecuteNonQuery();
    }

    /// <inheritdoc/>
    public ValueTask<RunLease?> StealLeaseAsync(string runId, string deadOwner, string owner, TimeSpan leaseDuration, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(deadOwner);
        ArgumentException.ThrowIfNullOrEmpty(owner);
        return Enqueue<RunLease?>(cancellationToken, (connection, transaction) =>
        {
            using var read = Command(connection, transaction, "SELECT lease_owner, lease_epoch FROM runs WHERE run_id = $id", ("$id", runId));
            using var reader = read.ExecuteReader();
            if (!reader.Read()) throw new KeyNotFoundException($"no run '{runId}' in the store");
            var holder = reader.IsDBNull(0) ? null : reader.GetString(0);
            var epoch = reader.GetInt64(1) + 1;
            reader.Close();
            if (holder != deadOwner) return null;
            var lease = new RunLease(runId, owner, epoch, _time.GetUtcNow() + leaseDuration);
            using var take = Command(connection, transaction, "UPDATE runs SET lease_owner = $owner, lease_epoch = $epoch, lease_expires = $expires WHERE run_id = $id",
                ("$owner", owner), ("$epoch", epoch), ("$expires", Ms(lease.ExpiresAt)), ("$id", runId));
            take.ExecuteNonQuery();
            return lease;
        });
    }

    /// <inheritdoc/>
    public ValueTask<RunLease?> TryAcquireLeaseAsync(string runId, string owner, TimeSpan leaseDuration, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(owner);
        return Enqueue<RunLease?>(cancellationToken, (connection, transaction) =>
        {
            var now = _time.GetUtcNow();
            using var read = Command(connection, transaction, "SELECT lease_owner, lease_expires, lease_epoch FROM runs WHERE run_id = $id", ("$id", runId));
            using var reader = read.ExecuteReader();
            if (!reader.Read()) throw new KeyNotFoundException($"no run '{runId}' in the store");
            var holder = reader.IsDBNull(0) ? null : reader.GetString(0);
            var expires = reader.IsDBNull(1) ? (long?)null : reader.GetInt64(1);
            var epoch = reader.GetInt64(2) + 1;
            reader.Close();
            if (holder is not null && holder != owner && expires > Ms(now)) return null;
            var lease = new RunLease(runId, owner, epoch, now + leaseDuration);
            using var take = Command(connection, transaction, "UPDATE runs SET lease_owner = $owner, lease_epoch = $epoch, lease_expires = $expires WHERE run_id = $id",
                ("$owner", owner), ("$epoch", epoch), ("$expires", Ms(lease.ExpiresAt)), ("$id", runId));
            take.ExecuteNonQuery();
            return lease;
        });
    }

    /// <inheritdoc/>
    public ValueTask<bool> RenewLeaseAsync(RunLease lease, TimeSpan leaseDuration, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        return Enqueue(cancellationToken, (connection, transaction) =>
        {
            using var renew = Command(connection, transaction, "UPDATE runs SET lease_owner = $owner, lease_expires = $expires WHERE run_id = $id AND lease_epoch = $epoch",
                ("$owner", lease.Owner), ("$expires", Ms(_time.GetUtcNow() + leaseDuration)), ("$id", lease.RunId), ("$epoch", lease.Epoch));
            return renew.ExecuteNonQuery() == 1;
        });
    }

    /// <inheritdoc/>
    public async ValueTask ReleaseLeaseAsync(RunLease lease, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        await Enqueue(cancellationToken, (connection, transaction) =>
        {
            using var release = Command(connection, transaction, "UPDATE runs SET lease_owner = NULL, lease_expires = NULL WHERE run_id = $id AND lease_epoch = $epoch",
                ("$id", lease.RunId), ("$epoch", lease.Epoch));
            return release.ExecuteNonQuery();
        }).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public ValueTask<JournalEntry> AppendAsync(RunLease lease, JournalEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        ArgumentNullException.ThrowIfNull(entry);
        // Serialized on the caller's thread, so the single writer only writes.
        var stored = StoreJson.Write(entry, _options.BlobThreshold);
        return Enqueue(cancellationToken, (connection, transaction) =>
        {
            var sequence = CheckLease(connection, transaction, lease);
            InsertEntry(connection, transaction, lease.RunId, sequence, entry.Kind, stored);
            using var next = Command(connection, transaction, "UPDATE runs SET next_seq = $next WHERE run_id = $id", ("$next", sequence + 1), ("$id", lease.RunId));
            next.ExecuteNonQuery();
            return entry with { Sequence = sequence };
        });
    }

    /// <summary>Checks the lease against the run inside the write transaction; returns the run's next sequence number.</summary>
    private static long CheckLease(SqliteConnection connection, SqliteTransaction transaction, RunLease lease)
    {
        using var read = Command(connection, transaction, "SELECT lease_epoch, next_seq FROM runs WHERE run_id = $id", ("$id", lease.RunId));
        using var reader = read.ExecuteReader();
        if (!reader.Read()) throw new KeyNotFoundException($"no run '{lease.RunId}' in the store");
        if (reader.GetInt64(0) != lease.Epoch) throw new RunLeaseLostException(lease);
        return reader.GetInt64(1);
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<JournalEntry>> ReadJournalAsync(string runId, long afterSequence = 0, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        // One read transaction: the run's last sequence and its rows are seen at the same moment.
        using var snapshot = connection.BeginTransaction(deferred: true);
        long nextSequence;
        using (var format = Command(connection, snapshot, "SELECT format, next_seq FROM runs WHERE run_id = $id", ("$id", runId)))
        {
            await using var run = await format.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            if (!await run.ReadAsync(cancellationToken).ConfigureAwait(false)) throw new KeyNotFoundException($"no run '{runId}' in the store");
            (var version, nextSequence) = Damaged($"run '{runId}'", () => (run.GetInt32(0), run.GetInt64(1)));
            StoreJson.CheckFormat(version, $"run '{runId}'");
        }

        using var read = Command(connection, snapshot, "SELECT seq, body, blob_paths FROM journal WHERE run_id = $id AND seq > $after ORDER BY seq", ("$id", runId), ("$after", afterSequence));
        await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var entries = new List<JournalEntry>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var sequence = reader.GetInt64(0);
            var where = $"journal entry {sequence} of run '{runId}'";
            var (body, paths) = Damaged(where, () => (reader.GetFieldValue<byte[]>(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
            var entry = StoreJson.Read(body, paths, hash =>
            {
                using var blob = Command(connection, snapshot, "SELECT data FROM blobs WHERE hash = $hash", ("$hash", hash));
                return blob.ExecuteScalar() as byte[];
            }, where);
            entries.Add(entry with { Sequence = sequence });
        }

        JournalIntegrity.CheckNoGap(runId, afterSequence, entries, nextSequence - 1);
        return entries;
    }

    /// <inheritdoc/>
    public async ValueTask<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        using var read = Command(connection, null, $"SELECT {RunColumns} FROM runs WHERE run_id = $id", ("$id", runId));
        await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadRun(reader) : null;
    }

    /// <inheritdoc/>
    public async ValueTask SetStatusAsync(RunLease lease, RunStatus status, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(lease);
        await Enqueue(cancellationToken, (connection, transaction) =>
        {
            CheckLease(connection, transaction, lease);
            using var update = Command(connection, transaction, "UPDATE runs SET status = $status, updated_at = $now WHERE run_id = $id",
                ("$status", (int)status), ("$now", Ms(_time.GetUtcNow())), ("$id", lease.RunId));
            return update.ExecuteNonQuery();
        }).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new RunQuery();
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        var where = new List<string>();
        var parameters = new List<(string, object?)>();
        void Filter(string clause, string name, object? value)
        {
            where.Add(clause);
            parameters.Add((name, value));
        }

        if (query.Status is { } status) Filter("status = $status", "$status", (int)status);
        if (query.Workflow is { } workflow) Filter("workflow = $workflow", "$workflow", workflow);
        if (query.ParentRunId is { } parent) Filter("parent_run_id = $parent", "$parent", parent);
        if (query.StartedAfter is { } after) Filter("started_at >= $after", "$after", Ms(after));
        if (query.StartedBefore is { } before) Filter("started_at < $before", "$before", Ms(before));
        var sql = $"SELECT {RunColumns} FROM runs{(where.Count == 0 ? "" : " WHERE " + string.Join(" AND ", where))} ORDER BY started_at DESC, run_id DESC";
        if (query.Limit is { } limit) sql += $" LIMIT {Math.Max(0, limit)}";
        using var read = Command(connection, null, sql, [.. parameters]);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var runs = new List<RunRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) runs.Add(ReadRun(reader));
        return runs;
    }

    /// <inheritdoc/>
    public ValueTask<HumanRequest> SaveHumanRequestAsync(HumanRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = StoreJson.Write(request);
        return Enqueue(cancellationToken, (connection, transaction) =>
        {
            using var insert = Command(connection, transaction, "INSERT OR IGNORE INTO requests (id, run_id, status, created_at, body) VALUES ($id, $run, $status, $created, $body)",
                ("$id", request.Id), ("$run", request.RunId), ("$status", (int)request.Status), ("$created", Ms(request.CreatedAt)), ("$body", body));
            if (insert.ExecuteNonQuery() == 1) return request;
            using var read = Command(connection, transaction, "SELECT body FROM requests WHERE id = $id", ("$id", request.Id));
            return StoreJson.ReadRequest(Damaged($"request '{request.Id}'", () => (byte[])read.ExecuteScalar()!), $"request '{request.Id}'");
        });
    }

    /// <inheritdoc/>
    public async ValueTask<HumanRequest?> GetHumanRequestAsync(string requestId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        using var read = Command(connection, null, "SELECT body FROM requests WHERE id = $id", ("$id", requestId));
        return await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is byte[] body ? StoreJson.ReadRequest(body, $"request '{requestId}'") : null;
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<HumanRequest>> ListHumanRequestsAsync(string? runId = null, bool openOnly = true, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenReaderAsync(cancellationToken).ConfigureAwait(false);
        var sql = "SELECT id, body FROM requests WHERE ($run IS NULL OR run_id = $run) AND ($open = 0 OR status = $openStatus) ORDER BY created_at, id";
        using var read = Command(connection, null, sql, ("$run", runId), ("$open", openOnly ? 1 : 0), ("$openStatus", (int)HumanRequestStatus.Open));
        await using var reader = await read.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var requests = new List<HumanRequest>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false)) requests.Add(StoreJson.ReadRequest(Damaged($"request '{reader.GetValue(0)}'", () => reader.GetFieldValue<byte[]>(1)), $"request '{reader.GetValue(0)}'"));
        return requests;
    }

    /// <inheritdoc/>
    public ValueTask<bool> CloseHumanRequestAsync(string requestId, HumanRequestStatus status, string? answer, DateTimeOffset closedAt, CancellationToken cancellationToken = default)
    {
        if (status == HumanRequestStatus.Open) throw new ArgumentOutOfRangeException(nameof(status), "a request is closed with a final status");
        return Enqueue(cancellationToken, (connection, transaction) =>
        {
            using var read = Command(connection, transaction, "SELECT body FROM requests WHERE id = $id AND status = $open", ("$id", requestId), ("$open", (int)HumanRequestStatus.Open));
            if (read.ExecuteScalar() is not byte[] body) return false;
            var closed = StoreJson.ReadRequest(body, $"request '{requestId}'") with
            {
                Status = status,
                Answer = status == HumanRequestStatus.Answered ? answer : null,
                ClosedAt = closedAt,
            };
            using var update = Command(connection, transaction, "UPDATE requests SET status = $status, body = $body WHERE id = $id AND status = $open",
                ("$status", (int)status), ("$body", StoreJson.Write(closed)), ("$id", requestId), ("$open", (int)HumanRequestStatus.Open));
            return update.ExecuteNonQuery() == 1;
        });
    }

    /// <inheritdoc/>
    public ValueTask<int> DeleteFinishedRunsAsync(DateTimeOffset finishedBefore, CancellationToken cancellationToken = default) =>
        Enqueue(cancellationToken, (connection, transaction) =>
        {
            const string Finished = "SELECT run_id FROM runs WHERE status IN (2, 3, 4) AND updated_at < $before";
            foreach (var table in new[] { "journal", "requests", "blob_refs" })
            {
                using var delete = Command(connection, transaction, $"DELETE FROM {table} WHERE run_id IN ({Finished})", ("$before", Ms(finishedBefore)));
                delete.ExecuteNonQuery();
            }

            using var runs = Command(connection, transaction, "DELETE FROM runs WHERE status IN (2, 3, 4) AND updated_at < $before", ("$before", Ms(finishedBefore)));
            var deleted = runs.ExecuteNonQuery();
            // Blobs are shared by content: one goes when no run refers to it any more.
            using var blobs = Command(connection, transaction, "DELETE FROM blobs WHERE hash NOT IN (SELECT hash FROM blob_refs)");
            blobs.ExecuteNonQuery();
            return deleted;
        });

    /// <summary>Stops the writer once everything queued is written, and closes the file.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        await _writerConnection.DisposeAsync().ConfigureAwait(false);
        // Pooled connections keep the file open: let it go, so the file can be copied or deleted.
        SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
    }

    /// <summary>Disposes synchronously; prefer <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private const string RunColumns = "run_id, workflow, status, started_at, updated_at, parent_run_id, source, lease_owner, lease_expires, format, definition";

    private static RunRecord ReadRun(SqliteDataReader reader)
    {
        var runId = reader.GetValue(0)?.ToString() ?? "?";
        StoreJson.CheckFormat(Damaged($"run '{runId}'", () => reader.GetInt32(9)), $"run '{runId}'");
        return Damaged($"run '{runId}'", () => new RunRecord
        {
            RunId = reader.GetString(0),
            Workflow = reader.GetString(1),
            Status = reader.GetInt32(2) is var status && Enum.IsDefined((RunStatus)status) ? (RunStatus)status : throw new FormatException($"its status {status} is not a run status"),
            StartedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
            UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
            ParentRunId = reader.IsDBNull(5) ? null : reader.GetString(5),
            Source = reader.IsDBNull(6) ? null : reader.GetString(6),
            LeaseOwner = reader.IsDBNull(7) ? null : reader.GetString(7),
            LeaseExpiresAt = reader.IsDBNull(8) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)),
            Definition = reader.IsDBNull(10) ? null : reader.GetString(10),
        });
    }

    /// <summary>Reads a row's columns; a value of the wrong type (a damaged or hand-edited row) is a named error, not a cast exception.</summary>
    private static T Damaged<T>(string where, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is InvalidCastException or FormatException or OverflowException or ArgumentException or InvalidOperationException)
        {
            // ArgumentException: a time out of DateTimeOffset's range (a lease that "never" expires, written by hand).
            throw new StoreFormatException($"{where} is damaged and cannot be read: {ex.Message}", ex);
        }
    }

    private async Task<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    private static long Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds();
}
