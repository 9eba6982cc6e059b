const { json } = require("./cors");

const TODOS = [
  { id: "1", title: "Read the template", done: true },
  { id: "2", title: "Serve it with gatewise", done: false },
];

exports.list = async () => json(200, { items: TODOS });

exports.get = async (event) => {
  const todo = TODOS.find((t) => t.id === event.pathParameters.id);
  return todo ? json(200, todo) : json(404, { message: `no to-do ${event.pathParameters.id}` });
};
