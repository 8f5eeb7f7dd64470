using Baton.CrashHost;
using Xunit.Abstractions;

namespace Baton.Storage.Tests.Crash;

/// <summary>
/// A group chat and a handoff killed with SIGKILL mid-conversation (in a child process on a SQLite file) and resumed in
/// a new process: they finish with the uninterrupted run's transcript, and no turn completed before the kill runs again.
/// </summary>
public sealed class ConversationCrashTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("groupchat")]
    [InlineData("handoff")]
    public async Task A_conversation_killed_mid_way_resumes_to_the_same_transcript_without_re_running_a_turn(string shape)
    {
        var dir = Directory.CreateTempSubdirectory("baton-crash-chat-");
        try
        {
            var expected = await CrashResumeTests.UninterruptedOutputAsync(shape);
            Assert.Equal(9, expected.Split('>').Length - 1); // nine turns, each in the transcript
            var landed = 0;
            foreach (var killAfter in new[] { 2, 5, 8 })
            {
                var (db, log, runId) = (Path.Combine(dir.FullName, $"{killAfter}.db"), Path.Combine(dir.FullName, $"{killAfter}.log"), $"{shape}-{killAfter}");
                Assert.True(await CrashResumeTests.RunAndKillAsync(db, shape, runId, log, killAfter, extraMs: 3), $"{runId}: the run finished before the kill");
                var completed = await CrashResumeTests.CompletedKeysAsync(db, runId);
                if (completed.Count > 0 && !await CrashResumeTests.FinishedAsync(db, runId)) landed++;
                var executedBefore = File.ReadAllLines(log).Length;

                var (exit, stdout) = await CrashResumeTests.RunToEndAsync(db, shape, runId, log);

                Assert.True(exit == 0, $"{runId}: resume exited {exit}: {stdout}");
                Assert.Equal("output " + System.Text.Json.JsonSerializer.Serialize(expected), stdout.Split('\n').Last(l => l.StartsWith("output ", StringComparison.Ordinal)).TrimEnd());
                var rerun = File.ReadAllLines(log).Skip(executedBefore).Where(completed.Contains).ToArray();
                Assert.True(rerun.Length == 0, $"{runId}: completed turns ran again after the kill: {string.Join(", ", rerun)}");
                await CrashResumeTests.AssertJournalWholeAsync(db, runId);
                output.WriteLine($"{runId}: killed after {killAfter} turns started, {completed.Count} committed; resumed to the same transcript");
            }

            Assert.True(landed >= 2, $"only {landed} of 3 kills landed mid-conversation");
        }
        finally
        {
            try { dir.Delete(recursive: true); } catch (IOException) { }
        }
    }
}
