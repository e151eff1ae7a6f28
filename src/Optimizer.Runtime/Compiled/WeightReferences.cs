namespace Optimizer.Runtime.Compiled;

/// <summary>
/// The stored form of a program's <see cref="WeightReference"/>s: the table after the steps, the
/// weights section without their bytes, and rebuilding the full weights at load time from the model.
/// </summary>
internal static class WeightReferences
{
    /// <summary>
    /// <c>varint count { varint gap (offset − the previous reference's end); varint length; string initializer; u8 transform; varint argCount; zigzag args[] }</c>
    /// (<see cref="ProgramWriter"/>'s encoding).
    /// </summary>
    public static void Write(ProgramWriter w, IReadOnlyList<WeightReference> references)
    {
        w.Count(references.Count);
        long end = 0;
        foreach (var reference in references)
        {
            w.Count(reference.Offset - end);
            w.Count(reference.Length);
            w.String(reference.Initializer);
            w.Byte((byte)reference.Transform);
            w.Count(reference.Args.Count);
            foreach (var arg in reference.Args)
            {
                w.Signed(arg);
            }

            end = reference.Offset + reference.Length;
        }
    }

    /// <summary>Reads what <see cref="Write"/> wrote; <see cref="StoredLength"/> checks the references against the weights.</summary>
    public static WeightReference[] Read(ref ProgramReader r)
    {
        var references = new WeightReference[r.Count()];
        long end = 0;
        for (var i = 0; i < references.Length; i++)
        {
            var (gap, length, initializer, transform) = (r.Long(), r.Long(), r.String(), (WeightTransform)r.Byte());
            var args = new int[r.Count()];
            for (var a = 0; a < args.Length; a++)
            {
                var arg = r.Signed();
                args[a] = arg is >= int.MinValue and <= int.MaxValue ? (int)arg : throw new InvalidDataException($"The kernel program's weight '{ModelText.Printable(initializer)}' has an argument out of range. Rebuild the project.");
            }

            var offset = gap <= long.MaxValue - end ? end + gap : throw new InvalidDataException($"The kernel program's weight '{ModelText.Printable(initializer)}' lies past any weights. Rebuild the project.");
            references[i] = new WeightReference(offset, length, initializer, transform, args);
            end = length <= long.MaxValue - offset ? offset + length : throw new InvalidDataException($"The kernel program's weight '{ModelText.Printable(initializer)}' lies past any weights. Rebuild the project.");
        }

        return references;
    }

    /// <summary>Writes <paramref name="weights"/> less the referenced ranges.</summary>
    public static void WriteStored(ProgramWriter w, ReadOnlySpan<byte> weights, IReadOnlyList<WeightReference> references)
    {
        long position = 0;
        foreach (var reference in references)
        {
            w.Raw(weights[checked((int)position)..checked((int)reference.Offset)]);
            position = reference.Offset + reference.Length;
        }

        w.Raw(weights[checked((int)position)..]);
    }

    /// <summary>
    /// The bytes the program stores: <paramref name="weightsLength"/> less the references', after
    /// checking them (known transforms and arguments, in order, inside the weights, not overlapping).
    /// </summary>
    /// <exception cref="InvalidDataException">A reference does not fit the weights or its transform.</exception>
    public static long StoredLength(IReadOnlyList<WeightReference> references, long weightsLength)
    {
        long end = 0;
        long referenced = 0;
        foreach (var reference in references)
        {
            if (!WeightReference.IsKnown(reference.Transform, out var argCount) || reference.Args.Count != argCount
                || reference.Offset < end || reference.Length < 0 || reference.Offset > weightsLength - reference.Length
                || reference.ProducedLength() != reference.Length)
            {
                throw new InvalidDataException($"The kernel program's weight '{ModelText.Printable(reference.Initializer)}' ({reference.Transform}, {reference.Length} bytes at {reference.Offset}) does not fit its weights. Rebuild the project.");
            }

            end = reference.Offset + reference.Length;
            referenced += reference.Length;
        }

        return weightsLength - referenced;
    }

    /// <summary>Writes the full weights into <paramref name="destination"/>: the stored bytes between the references, each reference built from its initializer.</summary>
    /// <exception cref="InvalidDataException">The model is not given, or lacks an initializer, or its size differs from the one compiled.</exception>
    public static void Materialize(IReadOnlyList<WeightReference> references, ReadOnlySpan<byte> stored, ReadOnlySpan<byte> model, Span<byte> destination)
    {
        if (references.Count == 0)
        {
            stored.CopyTo(destination);
            return;
        }

        if (model.IsEmpty)
        {
            throw new InvalidDataException($"The kernel program reads {references.Count} weight tensors from its ONNX model's initializers, but no model was given to load it with. Rebuild the project.");
        }

        var initializers = ModelInitializers.Index(model);
        int position = 0, read = 0;
        foreach (var reference in references)
        {
            var gap = (int)reference.Offset - position;
            stored.Slice(read, gap).CopyTo(destination[position..]);
            read += gap;
            if (!initializers.TryGetValue(reference.Initializer, out var source))
            {
                throw new InvalidDataException($"The kernel program reads its weights from initializer '{ModelText.Printable(reference.Initializer)}', which the model does not have (or does not store as raw_data): the program was compiled from another model. Rebuild the project.");
            }

            if (source.Length != reference.SourceLength)
            {
                throw new InvalidDataException($"The kernel program reads {reference.SourceLength} bytes from initializer '{ModelText.Printable(reference.Initializer)}', but the model's has {source.Length}: the program was compiled from another model. Rebuild the project.");
            }

            reference.Fill(model.Slice(source.Offset, source.Length), destination.Slice((int)reference.Offset, (int)reference.Length));
            position = (int)(reference.Offset + reference.Length);
        }

        stored[read..].CopyTo(destination[position..]);
    }
}
