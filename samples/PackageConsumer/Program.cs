// A user's first program on the Baton packages: a C# pipeline and a workflow file, both journaled to SQLite.
// .ci/run checks the last line it prints; it exits 1 when either run does not end as expected.
using Baton;
using Baton.AI;
using Baton.Storage.Sqlite;
using Baton.Yaml;

const string WorkflowYaml = """
    version: 1
    name: consumer-report
    inputs:
      topic: { type: string }
    models:
      local:
        provider: scripted
        replies:
          - "Finding: teams install Baton from packages."
          - "Report: adoption of Baton packages is rising."
    agents:
      researcher:
        model: local
        instructions: "Find the key trends about {{ inputs.topic }}."
      writer:
        model: local
        instructions: "Write a report from: {{ input }}"
    workflow:
      sequential: [researcher, writer]
    """;

var folder = Directory.CreateTempSubdirectory("baton-consumer-");
try
{
    await using var store = new SqliteRunStore(new SqliteRunStoreOptions { Path = Path.Combine(folder.FullName, "baton.db") });
    await using var runtime = new BatonRuntime(new BatonOptions { Store = store });

    // Two function agents around one model agent (the scripted model: deterministic, no network).
    var research = Agent.Create("research", topic => $"findings on {topic}");
    var write = new ModelAgent("write", new ScriptedChatClient("Report: the packages are complete."), new ModelAgentOptions
    {
        Instructions = "Write a one-line report from the findings.",
    });
    var publish = Agent.Create("publish", report => $"published: {report}");
    var pipeline = new SequentialBuilder("consumer-pipeline").Then(research).Then(write).Then(publish).Build();
    var piped = await runtime.Start(pipeline, "Baton packages").Completion;

    // The file is read from a string; its path only names it in errors.
    var (file, errors) = WorkflowFile.Load(WorkflowYaml, Path.Combine(folder.FullName, "consumer.yaml"), _ => null);
    if (file is null)
    {
        foreach (var error in errors) Console.Error.WriteLine(error);
        return 1;
    }
    var filed = await runtime.Start(file.Workflow, Payload.ParseJson("""{"topic":"Baton packages"}""")).Completion;

    var runs = await store.ListRunsAsync();
    if (!piped.IsSuccess || !filed.IsSuccess || runs.Count != 2)
    {
        Console.Error.WriteLine($"pipeline: {piped.Status} {piped.Error?.Message}; workflow file: {filed.Status} {filed.Error?.Message}; stored runs: {runs.Count}");
        return 1;
    }
    Console.WriteLine($"package consumer: {piped.Output} | {filed.Output}");
    return 0;
}
finally
{
    folder.Delete(recursive: true);
}
