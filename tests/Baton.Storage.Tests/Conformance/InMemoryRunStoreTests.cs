using Baton.Storage;

namespace Baton.Storage.Tests.Conformance;

public sealed class InMemoryRunStoreTests : RunStoreConformance
{
    protected override Task<IRunStore> CreateStoreAsync() => Task.FromResult<IRunStore>(new InMemoryRunStore(Time));
}
