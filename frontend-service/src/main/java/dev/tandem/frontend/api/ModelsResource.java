package dev.tandem.frontend.api;

import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import dev.tandem.frontend.model.ServedModel;
import dev.tandem.frontend.openai.ModelCard;
import dev.tandem.frontend.openai.ModelList;
import dev.tandem.frontend.openai.OpenAiException;

@Path("/v1/models")
@Produces(MediaType.APPLICATION_JSON)
public class ModelsResource {

    private final ServedModel model;

    public ModelsResource(ServedModel model) {
        this.model = model;
    }

    @GET
    public ModelList list() {
        return new ModelList(List.of(card()));
    }

    @GET
    @Path("/{id}")
    public ModelCard get(@PathParam("id") String id) {
        if (!model.name().equals(id)) {
            throw OpenAiException.modelNotFound(id);
        }
        return card();
    }

    private ModelCard card() {
        return new ModelCard(model.name(), model.createdAtSeconds(), model.config().contextLength());
    }
}
