using Optimizer.Engine.Plans;
using Optimizer.Onnx;
using Optimizer.Tests.Shared;

namespace Optimizer.Engine.Tests.DataFiles;

/// <summary>A temporary project folder for data files, and a plan for a real model of ../shared/data/models that resolves them there.</summary>
internal sealed class DataSetFixture : IDisposable
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("opt-data-").FullName;

    /// <summary>The path of <paramref name="file"/> in the folder.</summary>
    public string PathOf(string file) => Path.Combine(Folder, file);

    /// <summary>The real model <c>../shared/data/models/&lt;name&gt;.onnx</c>.</summary>
    public static OnnxModel Model(string name) => OnnxModelLoader.Load(ModelPath(name));

    public static string ModelPath(string name) => RepositoryLayout.RequiredShared($"data/models/{name}.onnx");

    /// <summary>A plan for the model with the folder as project folder and the passes given.</summary>
    public OptimizationPlan Plan(string model, params PlannedPass[] passes) =>
        new(OptimizationPlan.CurrentFormatVersion, "Test", "", ModelPath(model), $"{model}.onnx", null, Path.Combine(Folder, "obj"), Folder, "r", passes);

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
