using Baton.Storage;

namespace Baton.Yaml.Tests.Building;

/// <summary>A run that waited for a person and was answered: its store, its id, the request answered and how it ended.</summary>
internal sealed record AnsweredRun(InMemoryRunStore Store, string RunId, HumanRequest Request, RunResult Result);
