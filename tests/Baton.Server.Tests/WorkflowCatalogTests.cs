using Baton.Server.Workflows;
using Baton.Yaml;

namespace Baton.Server.Tests;

/// <summary>The files a server offers are read when it starts: every problem at once, or none.</summary>
public sealed class WorkflowCatalogTests
{
    [Fact]
    public void A_missing_file_an_invalid_one_and_a_name_offered_twice_are_all_reported()
    {
        var folder = Directory.CreateTempSubdirectory("baton-catalog-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "a.yaml"), Files.Report);
            File.WriteAllText(Path.Combine(folder, "b.yml"), Files.Report);
            File.WriteAllText(Path.Combine(folder, "bad.yaml"), "version: 1\nname: bad\nworkflow: nobody\n");
            var missing = Path.Combine(folder, "missing.yaml");
            var ex = Assert.Throws<WorkflowFileException>(() => WorkflowCatalog.Load([folder, missing]));
            Assert.Contains(ex.Errors, e => e.File.EndsWith("b.yml", StringComparison.Ordinal) && e.Message.Contains("workflow 'report' is also offered by", StringComparison.Ordinal));
            Assert.Contains(ex.Errors, e => e.File.EndsWith("bad.yaml", StringComparison.Ordinal) && e.Line == 3);
            Assert.Contains(ex.Errors, e => e.File == missing && e.Message == "there is no such workflow file or folder");

            File.Delete(Path.Combine(folder, "b.yml"));
            File.Delete(Path.Combine(folder, "bad.yaml"));
            var catalog = WorkflowCatalog.Load([folder]);
            Assert.Equal("report", Assert.Single(catalog.Workflows).Name);
            Assert.Same(catalog.Workflows[0], catalog.Find("report"));
            Assert.Null(catalog.Find("nope"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
