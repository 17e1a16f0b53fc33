/**
 * An example module of aggregate types for Eventscope, in plain JavaScript: an inventory item
 * that receives and ships stock, and refuses to ship more than it holds.
 *
 *   EVENTSCOPE_MODULES=examples/modules/inventory.mjs npm run serve
 *
 * Eventscope imports this file and calls its default export with its event-sourcing library
 * (`api`), so the module needs no import of its own: the classes extend the library's, and the
 * type is registered in the explorer's registry. The topics below are stored with every event:
 * never rename them once events exist.
 */

/** The classes, made once: loading the module again registers the same type again (a no-op). */
let definition

export default function register(api) {
  definition ??= defineInventoryItem(api)
  api.registerAggregateType(definition)
}

function defineInventoryItem(api) {
  const { Aggregate, AggregateEvent, DomainError } = api

  class InventoryItem extends Aggregate {
    static Created = class Created extends Aggregate.Created {}
    static AttributeChanged = class AttributeChanged extends Aggregate.AttributeChanged {}
    static Discarded = class Discarded extends Aggregate.Discarded {}

    static Received = class Received extends AggregateEvent {
      apply(item) {
        item._inStock += this.quantity
      }
    }

    static Shipped = class Shipped extends AggregateEvent {
      apply(item) {
        item._inStock -= this.quantity
      }
    }

    constructor(init) {
      super(init)
      this._sku = init.sku
      this._name = init.name
      this._inStock = 0
    }

    receive(quantity) {
      this.trigger(InventoryItem.Received, { quantity })
    }

    ship(quantity) {
      // The domain rule: a refused command triggers nothing, and nothing is stored.
      if (quantity > this._inStock) {
        throw new DomainError(
          `cannot ship ${quantity} of ${this._sku}: only ${this._inStock} in stock`,
          'cannot-ship-more-than-in-stock',
        )
      }
      this.trigger(InventoryItem.Shipped, { quantity })
    }
  }

  const quantity = {
    type: 'object',
    properties: { quantity: { type: 'integer', title: 'Quantity', exclusiveMinimum: 0 } },
    required: ['quantity'],
  }

  return {
    topic: 'inventory#InventoryItem',
    displayName: 'Inventory item',
    description: 'Stock of one article: received and shipped, never below zero.',
    aggregate: InventoryItem,
    events: {
      Created: InventoryItem.Created,
      AttributeChanged: InventoryItem.AttributeChanged,
      Discarded: InventoryItem.Discarded,
      Received: InventoryItem.Received,
      Shipped: InventoryItem.Shipped,
    },
    create: {
      label: 'Create inventory item',
      parameters: {
        type: 'object',
        properties: {
          sku: { type: 'string', title: 'SKU', minLength: 1, maxLength: 64 },
          name: { type: 'string', title: 'Name', maxLength: 200 },
        },
        required: ['sku'],
      },
      handle: ({ sku, name }) => InventoryItem.create({ sku, name: name ?? sku }),
    },
    commands: {
      receive: {
        label: 'Receive',
        description: 'Adds received stock.',
        parameters: quantity,
        handle: (item, params) => item.receive(params.quantity),
      },
      ship: {
        label: 'Ship',
        description: 'Removes shipped stock; refused beyond what is in stock.',
        parameters: quantity,
        handle: (item, params) => item.ship(params.quantity),
      },
    },
    demo: {
      create: (index) => ({
        sku: `SKU-${String(index).padStart(5, '0')}`,
        name: `Article ${index}`,
      }),
      // Receives 10 every third step and ships 3 otherwise: the stock never runs out.
      command: (_index, step) =>
        step % 3 === 1
          ? { name: 'receive', params: { quantity: 10 } }
          : { name: 'ship', params: { quantity: 3 } },
    },
  }
}
