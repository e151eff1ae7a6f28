using Google.Protobuf;
using Optimizer.Onnx.Protobuf;

namespace Optimizer.Runtime.Tests;

/// <summary>
/// Lays a real model out as a build that stores weights as files does: <c>&lt;folder&gt;/&lt;name&gt;.onnx</c>
/// whose initializers live in ONNX external data (<c>&lt;name&gt;.onnx.data</c>, 64-byte aligned, as
/// <c>onnx.save_model(..., save_as_external_data=True)</c> writes it), and optionally its kernel program.
/// </summary>
internal sealed class StoredModelFiles : IDisposable
{
    /// <param name="externalData">False: the initializers stay in the <c>.onnx</c> (as the engine writes a model it compiled).</param>
    public StoredModelFiles(string sourceModel, string folder, string name, byte[]? program, bool externalData = true)
    {
        Directory = Path.Combine(Path.GetTempPath(), "optimizer-stored-" + Guid.NewGuid().ToString("N"));
        string modelFolder = Path.Combine(Directory, folder);
        System.IO.Directory.CreateDirectory(modelFolder);
        ModelFile = folder + "/" + name + ".onnx";
        DataFileName = name + ".onnx.data";

        var proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(sourceModel));
        using (var data = File.Create(Path.Combine(modelFolder, DataFileName)))
        {
            foreach (TensorProto tensor in externalData ? proto.Graph.Initializer : [])
            {
                data.Position = (data.Length + 63) / 64 * 64;
                long offset = data.Position;
                tensor.RawData.WriteTo(data);
                tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = DataFileName });
                tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString(System.Globalization.CultureInfo.InvariantCulture) });
                tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = tensor.RawData.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) });
                tensor.DataLocation = TensorProto.Types.DataLocation.External;
                tensor.ClearRawData();
            }
        }

        proto.MetadataProps.Add(new StringStringEntryProto { Key = MarkKey, Value = MarkValue });
        File.WriteAllBytes(Path.Combine(modelFolder, name + ".onnx"), proto.ToByteArray());
        if (program is not null)
        {
            File.WriteAllBytes(Path.Combine(modelFolder, name + ".kernels"), program);
        }
    }

    /// <summary>A metadata_props entry only the stored <c>.onnx</c> has, so a test can tell it was read.</summary>
    public const string MarkKey = "stored", MarkValue = "beside the app";

    /// <summary>The app's base directory stand-in (what <see cref="ModelOptions.ModelDirectory"/> names).</summary>
    public string Directory { get; }

    /// <summary>What the generator writes as <see cref="ModelMetadata.ModelFile"/>.</summary>
    public string ModelFile { get; }

    public string DataFileName { get; }

    public string PathOf(string fileName) => Path.Combine(Directory, Path.GetDirectoryName(ModelFile)!, fileName);

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A mapped file on Windows may outlive the test by a moment; the temp folder is cleaned later.
        }
    }
}
