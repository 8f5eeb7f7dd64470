using Baton.Storage;
using Baton.Storage.Sqlite;

namespace Baton.Storage.Tests.Conformance;

public sealed class SqliteRunStoreTests : RunStoreConformance
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("baton-sqlite-");

    protected override Task<IRunStore> CreateStoreAsync() =>
        Task.FromResult<IRunStore>(new SqliteRunStore(new SqliteRunStoreOptions { Path = Path.Combine(_dir.FullName, $"{Guid.NewGuid():N}.db"), TimeProvider = Time }));

    protected override Task<IRunStore?> ReopenAsync(IRunStore store) =>
        Task.FromResult<IRunStore?>(new SqliteRunStore(new SqliteRunStoreOptions { Path = ((SqliteRunStore)store).Path, TimeProvider = Time }));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        try { _dir.Delete(recursive: true); } catch (IOException) { }
    }
}
