using Microsoft.Data.Sqlite;

namespace Baton.Storage.Sqlite;

public sealed partial class SqliteRunStore
{
    /// <summary>Queues a write for the writer; completes when the transaction holding it commits.</summary>
    private ValueTask<T> Enqueue<T>(CancellationToken cancellationToken, Func<SqliteConnection, SqliteTransaction, T> write)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1, this);
        cancellationToken.ThrowIfCancellationRequested();
        var operation = new Operation<T>(write);
        if (!_queue.Writer.TryWrite(operation)) throw new ObjectDisposedException(nameof(SqliteRunStore));
        // A write, once queued, is committed or failed: cancelling only stops waiting for it.
        return new ValueTask<T>(operation.Completion.Task.WaitAsync(cancellationToken));
    }

    /// <summary>
    /// The single writer: takes everything queued (up to the batch size) and writes it in one transaction. A write
    /// that is refused (a lost lease, an unknown run) fails alone; a database error fails the whole batch, which is
    /// rolled back, so no caller is told a write happened that did not.
    /// </summary>
    private async Task WriteLoopAsync()
    {
        var batch = new List<Operation>(_options.MaxBatch);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < _options.MaxBatch && _queue.Reader.TryRead(out var operation)) batch.Add(operation);
            if (batch.Count == 0) continue;
            try
            {
                using var transaction = _writerConnection.BeginTransaction();
                foreach (var operation in batch)
                {
                    try
                    {
                        operation.Execute(_writerConnection, transaction);
                    }
                    catch (Exception ex) when (ex is RunLeaseLostException or KeyNotFoundException or InvalidOperationException or StoreFormatException)
                    {
                        operation.Refuse(ex);
                    }
                }

                transaction.Commit();
                foreach (var operation in batch) operation.Complete();
            }
            catch (Exception ex)
            {
                // A lock held too long or a full disk is told as such, naming the file, not as SQLite's error code.
                var named = ex is SqliteException sqlite ? SqliteStoreFile.Translate(sqlite, Path, _options.BusyTimeout) ?? ex : ex;
                foreach (var operation in batch) operation.Fail(named);
            }
        }
    }

    private abstract class Operation
    {
        public abstract void Execute(SqliteConnection connection, SqliteTransaction transaction);

        public abstract void Refuse(Exception exception);

        public abstract void Complete();

        public abstract void Fail(Exception exception);
    }

    private sealed class Operation<T>(Func<SqliteConnection, SqliteTransaction, T> write) : Operation
    {
        private T? _result;
        private Exception? _refused;

        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Execute(SqliteConnection connection, SqliteTransaction transaction) => _result = write(connection, transaction);

        public override void Refuse(Exception exception) => _refused = exception;

        public override void Complete()
        {
            if (_refused is not null) Completion.TrySetException(_refused);
            else Completion.TrySetResult(_result!);
        }

        public override void Fail(Exception exception) => Completion.TrySetException(_refused ?? exception);
    }
}
